"""Agent mode of the eval harness: the tool world built from a trajectory, and a real run where the
default model (qwen2.5-coder-0.5b) drives the tools itself in the graph, then answers."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import ToolException

from evals import EvalQuestion, EvalTask, run_eval
from evals.agent import ToolWorld
from evals.report import summarize, table


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
