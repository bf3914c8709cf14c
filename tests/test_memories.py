"""The baseline memories in the same graph as sleep: chunking (fast), then each strategy on a real
task with the real default model and real chromadb + MiniLM embeddings (slow)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from sleep_agent import AgentSettings, LocalChatModel, build_agent
from sleep_agent.memory import MemoryContext, VectorMemory
from sleep_agent.memory.chunks import chunk_turns
from sleep_agent.memory.vector import RETRIEVED_HEADER
from sleep_agent import Thread
from sleep_agent_tools import RecordArchive

TASK = ("The archive holds {n} records. Call next_record again and again, one call per reply, until it "
        "says there are no more records. Do not stop early.")


def _turns(n: int):
    msgs = []
    for i in range(n):
        call = {"name": "lookup", "args": {"name": f"P{i}"}, "id": f"c{i}"}
        msgs += [AIMessage("", tool_calls=[call], id=f"a{i}"),
                 ToolMessage(f'{{"name": "P{i}", "city": "C{i}"}}' + "x" * (i * 40), tool_call_id=f"c{i}", id=f"t{i}")]
    return msgs


@pytest.mark.parametrize("max_chars", [100, 200, 1000])
def test_chunks_keep_each_call_with_its_result(max_chars):
    chunks = chunk_turns(_turns(8), max_chars)
    for i in range(8):  # the call and its result are in the same chunk
        holding = [c for c in chunks if f"name='P{i}'" in c]
        assert len(holding) == 1 and f'"city": "C{i}"' in holding[0]
    assert all(len(c) <= max_chars or c.count("Called") == 1 for c in chunks)


def test_vector_store_is_per_thread(tiny_runtime, tmp_path):
    """Real chromadb + MiniLM: a thread retrieves its own evicted turns and never another thread's."""
    llm = LocalChatModel.from_runtime(tiny_runtime)  # only its tokenizer is used here
    mem, settings = VectorMemory(), AgentSettings(memory="vector", keep_last_turns=0)
    ctx = {t: MemoryContext(settings, Thread(t, tmp_path), llm) for t in ("a", "b")}
    body_a = _turns(4)
    mem.on_overflow({"messages": body_a}, body_a, ctx["a"])
    block = mem.retrieve("Which city is P2 in?", ctx["a"])
    assert block.startswith(RETRIEVED_HEADER) and '"city": "C2"' in block
    assert mem.retrieve("Which city is P2 in?", ctx["b"]) is None  # b stored nothing: sees nothing
    fresh = VectorMemory()  # a new process-like reader finds a's notes on disk
    assert '"C2"' in fresh.retrieve("Which city is P2 in?", ctx["a"])


# ---- real task, real model ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def llm(qwen_runtime):
    return LocalChatModel.from_runtime(qwen_runtime)


def _run(llm, memory: str, data_dir, thread: str, archive: RecordArchive, **overrides) -> dict:
    settings = {"memory": memory, "context_budget": 600, "keep_last_turns": 1, "max_steps": 8, **overrides}
    graph = build_agent(llm, [archive.tool()], data_dir=data_dir, settings=settings).compile(
        checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 200}
    return graph.invoke({"messages": [("user", TASK.format(n=len(archive.people)))]}, config)


def _read_people(archive: RecordArchive, thread: str):
    return archive.people[:archive.position_of(thread)]


@pytest.mark.slow
def test_vector_memory_retrieves_the_evicted_fact_and_nothing_from_other_threads(llm, tmp_path):
    a, b = RecordArchive(seed=21, size=6), RecordArchive(seed=22, size=6)
    state_a = _run(llm, "vector", tmp_path, "vec-a", a)
    _run(llm, "vector", tmp_path, "vec-b", b)
    assert state_a["evicted_messages"] > 0, "the window never overflowed"
    first = a.people[0]
    window_text = " ".join(str(m.content) for m in state_a["messages"])
    assert first.name not in window_text, "record 1 should have left the window"

    settings = AgentSettings(memory="vector", context_budget=600)
    mem = VectorMemory()
    block_a = mem.retrieve(f"In which city does {first.name} live?",
                           MemoryContext(settings, Thread("vec-a", tmp_path), llm))
    assert block_a and first.name in block_a and first.city in block_a
    block_b = mem.retrieve(f"In which city does {first.name} live?",
                           MemoryContext(settings, Thread("vec-b", tmp_path), llm)) or ""
    assert not any(p.name in block_b for p in a.people)  # nothing of thread a in thread b
    assert any(p.name in block_b for p in _read_people(b, "vec-b"))


@pytest.mark.slow
def test_summary_memory_summarises_what_left_the_window(llm, tmp_path):
    archive = RecordArchive(seed=23, size=6)
    state = _run(llm, "summary", tmp_path, "sum", archive)
    assert state["evicted_messages"] > 0, "the window never overflowed"
    summary = state["memory_summary"]
    assert summary["summary"].strip()
    in_window = {m.id for m in state["messages"]}
    assert not in_window & set(summary["ids"])  # summarised messages left the window
    assert any(p.name in summary["summary"] or p.city in summary["summary"] for p in _read_people(archive, "sum"))


@pytest.mark.slow
def test_window_memory_keeps_tool_calls_with_their_results_on_a_real_run(llm, tmp_path):
    archive = RecordArchive(seed=24, size=6)
    state = _run(llm, "window", tmp_path, "win", archive)
    assert state["evicted_messages"] > 0
    calls = {c["id"] for m in state["messages"] if isinstance(m, AIMessage) for c in m.tool_calls}
    assert all(m.tool_call_id in calls for m in state["messages"] if isinstance(m, ToolMessage))


@pytest.mark.slow
def test_full_memory_keeps_everything_while_it_fits(llm, tmp_path):
    archive = RecordArchive(seed=25, size=4)
    state = _run(llm, "full", tmp_path, "full", archive)
    assert state.get("evicted_messages", 0) == 0
    records = [m for m in state["messages"] if isinstance(m, ToolMessage) and str(m.content).startswith("Record ")]
    assert len(records) == archive.position_of("full") >= 3  # every record read is still in the window
