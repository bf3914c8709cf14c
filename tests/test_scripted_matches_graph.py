"""The scripted eval measures the graph: for the same trajectory and budget, both evict the same turns.

The graph runs with a scripted model (tests/scripted_model.py) that makes exactly the task's tool calls
against tools answering exactly the task's results; the scripted eval replays the task through the
memory step. Real runtime (a tiny *randomly initialised* Qwen2-shaped model: exact token counts with
the Qwen template), real sleeps (LoRA training, 1 pass, no validation, to keep it fast).
"""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from scripted_model import ScriptedChatModel

from sleep_agent import AgentSettings, SleepConfig, Thread, build_agent, get_strategy
from sleep_agent_evals import EvalQuestion, EvalTask, replay
from sleep_agent_evals.scripted import scripted_context
from sleep_agent_evals.toolworld import ToolWorld

RECORDS = 10
SETTINGS = dict(context_budget=700, keep_last_turns=2, sleep=SleepConfig(passes=1, validate=False))


def _task() -> EvalTask:
    messages = [HumanMessage("Look up the 10 members of the guild one by one, then say who is the oldest.", id="task")]
    for i in range(RECORDS):
        call = {"name": "lookup", "args": {"member": f"M-{i:02d}"}, "id": f"c{i}", "type": "tool_call"}
        record = {"member": f"M-{i:02d}", "name": f"Member number {i}", "age": 30 + 7 * i % 23,
                  "guild_hall": f"Hall {chr(65 + i)}", "motto": "steady hands " * (1 + i % 3)}
        messages += [AIMessage("", tool_calls=[call], id=f"a{i}"),
                     ToolMessage(json.dumps(record), tool_call_id=f"c{i}", name="lookup", id=f"t{i}")]
    return EvalTask("guild", "custom", messages, [EvalQuestion("Who is M-00?", "Member number 0")])


def _calls(messages) -> list[str]:
    return [json.dumps(c["args"], sort_keys=True) for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]


def _run_graph(runtime, task: EvalTask, memory: str, tmp_path) -> dict:
    world = ToolWorld(task, hints=False)
    plan = [json.dumps({"name": n, "arguments": a}) for n, a in world.plan]
    llm = ScriptedChatModel.from_runtime(runtime, script=lambda prompt, n: plan[n] if n < len(plan) else "Done.")
    graph = build_agent(llm, world.tools(), memory=memory, settings=SETTINGS,
                        data_dir=tmp_path / "graph").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "g"}, "recursion_limit": 500}
    graph.invoke({"messages": [task.messages[0]]}, config, durability="sync")
    return graph.get_state(config).values


@pytest.mark.slow
@pytest.mark.parametrize("memory", ["window", "sleep"])
def test_scripted_replay_and_graph_evict_the_same_turns(tiny_runtime, tmp_path, memory):
    task = _task()
    graph_state = _run_graph(tiny_runtime, task, memory, tmp_path)

    settings = AgentSettings(memory=memory, **SETTINGS)
    llm = ScriptedChatModel.from_runtime(tiny_runtime)
    ctx = scripted_context(task, memory, settings, llm, Thread("s", tmp_path / "scripted"))
    scripted_state, error = replay(task, get_strategy(memory), ctx)
    assert error is None

    # The graph's window ends with its final answer; the task's trajectory has none.
    graph_window = [m for m in graph_state["messages"] if not (isinstance(m, AIMessage) and not m.tool_calls)]
    assert graph_state["evicted_messages"] > 0, "the budget must overflow for the comparison to mean anything"
    assert graph_state["evicted_messages"] == scripted_state["evicted_messages"]
    assert _calls(graph_window) == _calls(scripted_state["messages"])
    if memory == "sleep":
        spans = lambda s: [r["span"] for r in s["sleeps"]]  # noqa: E731
        assert len(graph_state["sleeps"]) >= 2
        assert spans(graph_state) == spans(scripted_state)
        assert graph_state["consolidated_calls"] == scripted_state["consolidated_calls"]
        assert graph_state["memory_note"] == scripted_state["memory_note"]
