"""After a sleep the prompt has room for at least two more turns (issue 21, "no sleeping on nothing").

On main before this, the fixed part of the demo's prompt (system prompt, two tool schemas, task, an
86-token wake note, the recollection block) plus the one kept turn stood at 622 tokens of the 600
budget, so from the 4th record on the agent slept after every record. Now the sleep memory keeps
fewer of the last turns when keeping them would leave no room (``SleepMemory.turns_to_keep``), and the
wake note and the recall schema are shorter.

Scripted decoding on the tiny random model with the real Qwen tokenizer (plumbing: exact token
counts, real graph, real LoRA sleeps with validation off); the script always asks for the next record.
"""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from scripted_model import ScriptedChatModel
from sleep_agent import build_agent
from sleep_agent.cli import DEMO_BUDGET, DEMO_RECORDS
from sleep_agent import AgentSettings, LocalChatModel, Thread
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
from sleep_agent.graph.recall_tool import make_recall_tool
from sleep_agent.memory import WAKE_ROOM_TURNS, MemoryContext, SleepMemory
from sleep_agent_tools import RecordArchive

SETTINGS = {"context_budget": DEMO_BUDGET, "keep_last_turns": 1,
            "sleep": {"passes": 1, "validate": False, "self_study": 0}}


def _demo_task(runtime, data, **settings):
    archive = RecordArchive(seed=0, size=DEMO_RECORDS)
    call = json.dumps({"name": "next_record", "arguments": {}})
    llm = ScriptedChatModel.from_runtime(runtime, script=lambda prompt, n: call)
    graph = build_agent(llm, [archive.tool()], data_dir=data, settings={**SETTINGS, **settings}).compile()
    task = f"Read all {DEMO_RECORDS} records with next_record, then say where {archive.people[0].name} lives."
    state = graph.invoke({"messages": [("user", task)]}, {"configurable": {"thread_id": "room"},
                                                          "recursion_limit": 200}, context={"max_steps": 20})
    return state, llm


def test_the_demo_task_sleeps_a_few_times_and_never_right_after_waking(tiny_runtime, tmp_path):
    state, llm = _demo_task(tiny_runtime, tmp_path)
    sleeps = state["sleeps"]
    assert 1 <= len(sleeps) <= 3, [s["at_step"] for s in sleeps]
    steps_between = [b["at_step"] - a["at_step"] for a, b in zip(sleeps, sleeps[1:])]
    assert all(n >= WAKE_ROOM_TURNS for n in steps_between), steps_between
    assert state["tools_done"] and not state["messages"][-1].tool_calls  # it read all and answered
    # every prompt the model saw fit the budget
    assert max(llm.get_num_tokens_from_messages(c["prompt"], tools=c["tools"]) for c in llm.calls) <= DEMO_BUDGET
    # By default the adapter is read through the recollection, and the agent decodes with the base:
    # after the first sleep the thread's adapter is loaded for every call but never shapes a reply.
    woken = [c for c in llm.calls if c["adapter"]]
    assert woken and not any(c["adapter_on"] for c in woken)


def test_act_with_adapter_decodes_the_agent_with_the_adapter_on(tiny_runtime, tmp_path):
    state, llm = _demo_task(tiny_runtime, tmp_path, act_with_adapter=True)
    woken = [c for c in llm.calls if c["adapter"]]
    assert state["sleeps"] and woken and all(c["adapter_on"] for c in woken)


def _turns(archive: RecordArchive, n: int) -> list:
    tool = archive.tool()
    out = []
    for i in range(n):
        c = {"name": "next_record", "args": {}, "id": f"c{i}", "type": "tool_call"}
        out += [AIMessage("", tool_calls=[c], id=f"a{i}"),
                tool.invoke({**c, "args": {}}, {"configurable": {"thread_id": "k"}})]
    return out


def test_fewer_turns_are_kept_only_when_the_woken_prompt_would_have_no_room(tiny_runtime, tmp_path):
    archive = RecordArchive(seed=1, size=6)
    body = _turns(archive, 5)
    state = {"messages": [HumanMessage("Read the records.")] + body}
    llm = LocalChatModel.from_runtime(tiny_runtime)
    tools = [convert_to_openai_tool(t) for t in (archive.tool(), make_recall_tool(None))]  # the demo's two
    memory = SleepMemory()
    for budget, keep in ((4096, 2), (DEMO_BUDGET, 0)):
        settings = AgentSettings.from_any({"context_budget": budget, "keep_last_turns": 2, "min_sleep_share": 0})
        ctx = MemoryContext(settings, Thread("k", tmp_path), llm, DEFAULT_SYSTEM_PROMPT, tools=tools)
        assert memory.turns_to_keep(body, ctx, state) == keep, budget
        evicted = memory.evict(body, ctx, state)
        kept = body[len(evicted):]
        assert len(kept) == 2 * keep
        if keep:  # the woken prompt with what is kept leaves room for two more turns
            turn = ctx.count(body[:2], with_tools=False)
            assert memory.wake_prompt_tokens(state, evicted, ctx) + ctx.count(kept, with_tools=False) \
                + WAKE_ROOM_TURNS * turn <= settings.high_water * budget
