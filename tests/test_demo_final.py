"""The demo's last step asked four ways (benchmarks/demo_final.py): block in or out, adapter on or off.

Scripted decoding on the tiny random model runs the demo's task through the real graph with a SQLite
checkpoint (plumbing: the answers are noise); the benchmark then rebuilds the final prompt from the
checkpoint and answers it in each variant with the adapter state it names."""

from __future__ import annotations

import json

from scripted_model import ScriptedChatModel
from sleep_agent import LocalChatModel, build_agent, sqlite_checkpointer
from sleep_agent.cli import DEMO_BUDGET
from sleep_agent_benchmarks.demo_final import VARIANTS, ask_final
from sleep_agent_tools import RecordArchive


def test_the_final_prompt_is_rebuilt_and_answered_in_every_variant(tiny_runtime, tmp_path):
    archive = RecordArchive(seed=3, size=7)
    call = json.dumps({"name": "next_record", "arguments": {}})
    llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda prompt, n: call)
    settings = {"context_budget": DEMO_BUDGET, "keep_last_turns": 1,
                "sleep": {"passes": 1, "validate": False, "self_study": 0}}
    db = tmp_path / "checkpoints.sqlite"
    graph = build_agent(llm, [archive.tool()], data_dir=tmp_path, settings=settings).compile(
        checkpointer=sqlite_checkpointer(db))
    task = f"Read all 7 records with next_record, then say where {archive.people[0].name} lives."
    graph.invoke({"messages": [("user", task)]}, {"configurable": {"thread_id": "final"}, "recursion_limit": 200},
                 context={"max_steps": 20})
    seen = []
    original = tiny_runtime.generate

    def spy(*args, **kwargs):  # which adapter state each answer decoded with
        seen.append(tiny_runtime.adapter_enabled)
        return original(*args, **kwargs)

    tiny_runtime.generate = spy
    try:
        result = ask_final(LocalChatModel.from_runtime(tiny_runtime), "final", checkpoint=db, data_dir=tmp_path)
    finally:
        del tiny_runtime.generate
    assert result is not None and set(result["answers"]) == {v[0] for v in VARIANTS}
    assert seen[-len(VARIANTS):] == [adapter for _, _, adapter in VARIANTS]
    assert result["recollection"] is not None
