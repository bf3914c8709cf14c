"""A refused sleep loses nothing (issue 22): its turns leave the window but stay in the state
(``unslept``) and are consolidated again with the next sleep's until one is published. On main before
this the window was cleared whether or not the adapter was published, so a refused sleep's facts
were neither in the weights nor in the context.

Scripted decoding on the tiny random model (plumbing: real graph, real LoRA sleeps, real validation).
Its replies are noise, so no new fact can be asked back (held-out recall 0) and validation refuses
every sleep, which is what this test needs."""

from __future__ import annotations

import json

from scripted_model import ScriptedChatModel
from sleep_agent import build_agent
from sleep_agent_tools import RecordArchive


def test_a_refused_sleeps_turns_go_to_the_next_sleep(tiny_runtime, tmp_path):
    archive = RecordArchive(seed=4, size=8)
    call = json.dumps({"name": "next_record", "arguments": {}})
    llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda prompt, n: call)
    settings = {"context_budget": 560, "keep_last_turns": 1, "sleep": {"passes": 1, "self_study": 0}}
    graph = build_agent(llm, [archive.tool()], data_dir=tmp_path, settings=settings).compile()
    state = graph.invoke({"messages": [("user", "Read every record with next_record.")]},
                         {"configurable": {"thread_id": "refused"}, "recursion_limit": 200}, context={"max_steps": 9})
    sleeps = state["sleeps"]
    assert len(sleeps) >= 2, [s["at_step"] for s in sleeps]
    assert all(s["rejected"] and s["version"] is None for s in sleeps), [s["rejected"] for s in sleeps]
    assert any("held-out recall of the new facts is 0.00" in r for r in sleeps[0]["rejected"])
    # each sleep takes what every earlier refused sleep evicted, and the state keeps all of it
    evicted = [s["span"][1] - s["span"][0] for s in sleeps]
    assert [s["carried_messages"] for s in sleeps] == [sum(evicted[:i]) for i in range(len(sleeps))]
    assert len(state["unslept"]) == sum(evicted)
    assert [s["facts"] for s in sleeps] == sorted(s["facts"] for s in sleeps) and sleeps[-1]["facts"] > sleeps[0]["facts"]
    # every record read so far is in the window or waiting in unslept: none was lost
    kept = " ".join(str(m.content) for m in state["messages"] + state["unslept"])
    assert all(p.name in kept for p in archive.people[:archive.position_of("refused")])
