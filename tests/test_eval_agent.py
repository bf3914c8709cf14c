"""Agent mode of the eval harness: the tool world built from a trajectory, and a real run where the
default model (qwen2.5-coder-0.5b) drives the tools itself in the graph, then answers."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import ToolException
from langchain_core.utils.function_calling import convert_to_openai_tool

from sleep_agent_evals import EvalQuestion, EvalTask, run_eval
from sleep_agent_evals.agent import ToolWorld, agent_budget
from sleep_agent_evals.answering import SYSTEM_PROMPT
from sleep_agent_evals.report import summarize, table
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
from sleep_agent.memory import group_turns
from sleep_agent.models.messages import to_template_dicts


def _task() -> EvalTask:
    msgs = [HumanMessage("Look up every person in the registry.")]
    people = {"Ovo Brask": "Tarnwick", "Ilse Quorn": "Fennholm", "Juno Vatch": "Marlby"}
    for i, (name, city) in enumerate(people.items()):
        msgs.append(AIMessage("", tool_calls=[{"name": "lookup", "args": {"name": name}, "id": f"c{i}",
                                                "type": "tool_call"}]))
        msgs.append(ToolMessage(json.dumps({"name": name, "city": city}), tool_call_id=f"c{i}", name="lookup"))
    # a stateful key: the same call answered twice, differently
    msgs.append(AIMessage("", tool_calls=[{"name": "lookup", "args": {"name": "Ovo Brask"}, "id": "c9",
                                            "type": "tool_call"}]))
    msgs.append(ToolMessage(json.dumps({"name": "Ovo Brask", "city": "Skelby"}), tool_call_id="c9", name="lookup"))
    qs = [EvalQuestion(f"Which city is listed for {n}?", c, "contains") for n, c in list(people.items())[1:]]
    return EvalTask("agent-t", "custom", msgs, qs)


def test_tool_world_answers_like_the_trajectory():
    world = ToolWorld(_task())
    assert len(world.plan) == 4
    assert '{"name": "lookup", "arguments": {"name": "Ilse Quorn"}}' in world.prompt("Task.")
    (tool,) = world.tools()
    content, artifact = tool.func(name="Ovo Brask")
    assert artifact == {"name": "Ovo Brask", "city": "Tarnwick"}  # what the sleep reads
    assert content.splitlines()[0] == json.dumps(artifact)           # the trajectory's result ...
    assert content.endswith('Next: call {"name": "lookup", "arguments": {"name": "Ilse Quorn"}}')  # ... + next
    assert tool.func(name="Ovo Brask")[1]["city"] == "Skelby"   # second call, second result
    assert tool.func(name="Ovo Brask")[1]["city"] == "Skelby"   # then the last one repeats
    with pytest.raises(ToolException, match="no record for lookup.*known arguments"):
        tool.func(name="Nobody")
    assert world.errors == 1
    assert world.planned_calls_made() == 2  # Ovo twice (planned twice); Ilse and Juno never called
    # through the tool interface a bad name becomes an error message, not an exception
    assert "no record" in tool.invoke({"name": "Nobody"})


def test_agent_budget_leaves_the_trajectory_as_many_turns_as_the_replay(tiny_runtime):
    task, rt = _task(), tiny_runtime
    world = ToolWorld(task)
    tools, prompt = world.tools(), world.prompt(task.messages[0].content)
    budget = agent_budget(rt, world, tools, task, prompt, 768, recall=False, high_water=0.85)
    fixed_agent = rt.count_tokens([{"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
                                   {"role": "user", "content": prompt}], [convert_to_openai_tool(t) for t in tools])
    fixed_scripted = rt.count_tokens([{"role": "system", "content": SYSTEM_PROMPT},
                                      {"role": "user", "content": task.messages[0].content}])
    turns = group_turns(task.messages[1:])
    turn = sum(rt.count_tokens(to_template_dicts(t), add_generation_prompt=False) for t in turns) / len(turns)
    hint = len(rt.encode("\n" + world.hint()))
    scripted_room = (0.85 * 768 - fixed_scripted) / turn
    agent_room = (0.85 * budget - fixed_agent) / (turn + hint)
    assert fixed_agent > fixed_scripted and hint > 0
    assert abs(agent_room - scripted_room) < 0.1, (agent_room, scripted_room)
    assert budget > 768 + (fixed_agent - fixed_scripted)  # the per-turn hint is paid for too


def test_agent_mode_runs_the_graph_and_scores_what_it_found(qwen_runtime, tmp_path):
    task = _task()
    rows = run_eval(qwen_runtime, lambda seed: [task], strategies=["window", "floor"], passes=[1], seeds=[0],
                    out=tmp_path, budget=768, model="qwen2.5-coder-0.5b", mode="agent")
    window = [r for r in rows if r["strategy"] == "window"]
    floor = [r for r in rows if r["strategy"] == "floor"]
    assert {r["mode"] for r in rows} == {"agent"} and len(window) == len(floor) == 2
    agent = window[0]["agent"]
    # the model made the lookups itself (greedy decoding: deterministic on this machine)
    assert agent["steps"] >= 4 and agent["planned_calls_made"] >= 3, agent
    assert agent["context_budget"] > 768  # the plan and the tool schema are added to the budget
    assert floor[0]["agent"]["steps"] == 0
    # the window holds what the agent found; the floor knows nothing of it
    assert sum(r["correct"] for r in window) >= 1 and sum(r["correct"] for r in floor) == 0
    summary = summarize(rows)
    assert set(summary) == {"window [agent]", "floor [agent]"}
    assert "planned calls made" in table(summary)
    # resumable: the runs are found in results.jsonl, keyed by mode
    again = run_eval(qwen_runtime, lambda seed: [task], strategies=["window", "floor"], passes=[1], seeds=[0],
                     out=tmp_path, budget=768, model="qwen2.5-coder-0.5b", mode="agent")
    assert len(again) == len(rows)


def test_agent_mode_refuses_the_scripted_only_ablation(qwen_runtime, tmp_path):
    with pytest.raises(ValueError, match="vector\\+notes have no agent mode"):
        run_eval(qwen_runtime, lambda seed: [_task()], strategies=["vector+notes"], passes=[1], seeds=[0],
                 out=tmp_path, budget=768, model="m", mode="agent")
