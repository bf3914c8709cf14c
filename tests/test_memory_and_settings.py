"""Cut points, the window/full strategies, settings validation, thread-id safety (fast, no real model)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, RemoveMessage, ToolMessage

from sleep_agent import AgentSettings, InvalidThreadIdError, SettingsError, SleepConfig, Thread
from sleep_agent.memory import (ContextOverflowError, FullMemory, MemoryContext, Update, WindowMemory, choose_eviction,
                                split_keep_last)
from sleep_agent.paths import thread_dir


def _turn(i: int, n_calls: int = 1):
    calls = [{"name": "t", "args": {"i": i, "k": k}, "id": f"c{i}-{k}"} for k in range(n_calls)]
    return [AIMessage("", tool_calls=calls, id=f"a{i}")] + [
        ToolMessage(f"r{i}-{k}", tool_call_id=f"c{i}-{k}", id=f"t{i}-{k}") for k in range(n_calls)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=12), st.integers(0, 6))
def test_cut_never_separates_a_tool_call_from_its_results(shape, keep):
    messages = []
    for i, n in enumerate(shape):
        messages += _turn(i, n) if n else [AIMessage(f"note {i}", id=f"n{i}")]
    evicted, kept = split_keep_last(messages, keep)
    assert evicted + kept == messages
    kept_call_ids = {c["id"] for m in kept if isinstance(m, AIMessage) for c in m.tool_calls}
    for m in kept:
        if isinstance(m, ToolMessage):
            assert m.tool_call_id in kept_call_ids  # no orphaned tool result
    assert not kept or not isinstance(kept[0], ToolMessage)


def test_sleep_evicts_at_least_the_minimum_by_keeping_fewer_turns():
    body = [m for i in range(4) for m in _turn(i)]          # 4 turns of 2 messages
    count = len                                               # "tokens" = messages, for the test
    assert choose_eviction(body, 2, 4, count) == body[:4]     # 2 turns kept: 4 evicted is enough
    assert choose_eviction(body, 2, 6, count) == body[:6]     # keep 1 turn to reach the minimum
    assert choose_eviction(body, 2, 99, count) == body[:6]    # never the last turn ...
    assert choose_eviction(body, 0, 99, count) == body        # ... unless keep_last_turns is 0
    assert choose_eviction(body[:2], 2, 1, count) == []       # one turn: nothing to consolidate


def test_window_memory_removes_oldest_whole_turns(tmp_path):
    body = _turn(1, 2) + _turn(2) + _turn(3)
    ctx = MemoryContext(AgentSettings(memory="window", keep_last_turns=1), Thread("t", tmp_path), llm=None)
    update = WindowMemory().on_overflow({"messages": body}, body, ctx)
    assert isinstance(update, Update)
    update = update.values
    removed = {m.id for m in update["messages"]}
    assert all(isinstance(m, RemoveMessage) for m in update["messages"])
    assert removed == {"a1", "t1-0", "t1-1", "a2", "t2-0"}
    assert update["evicted_messages"] == 5


def test_full_memory_errors_clearly_when_the_model_window_is_exceeded(tiny_runtime, tmp_path):
    from sleep_agent import LocalChatModel

    llm = LocalChatModel.from_runtime(tiny_runtime)
    ctx = MemoryContext(AgentSettings(memory="full"), Thread("t", tmp_path), llm)
    assert FullMemory().on_overflow({"prompt_tokens": 100}, [], ctx) == Update()  # still fits the model
    with pytest.raises(ContextOverflowError, match="no longer fits"):
        FullMemory().on_overflow({"prompt_tokens": tiny_runtime.max_context}, [], ctx)


@pytest.mark.parametrize("field,value,allowed", [
    ("memory", "telepathy", "one of sleep"),
    ("context_budget", 10, "256..1000000"),
    ("high_water", 3.0, "0.1..1.0"),
    ("sleep_passes", 0, "1..64"),       # flat run-context keys name themselves in the error
    ("sleep_lr", -1.0, "0 < lr"),
    ("sleep_distill", 1.5, "0..1"),
    ("max_tool_calls_per_step", 0, "1..64"),
])
def test_bad_settings_name_the_field_and_allowed_values(field, value, allowed):
    with pytest.raises(SettingsError) as e:
        AgentSettings.from_any({field: value})
    assert field in str(e.value) and allowed in str(e.value)


def test_flat_and_nested_sleep_keys_reach_the_one_sleep_config():
    defaults = AgentSettings(sleep=SleepConfig(passes=3, rank=8))
    flat = defaults.merged({"sleep_passes": 4, "sleep_lr": 1e-4, "lora_rank": 4, "sleep_distill": 0.5})
    assert (flat.sleep.passes, flat.sleep.lr, flat.sleep.rank, flat.sleep.alpha, flat.sleep.distill) == (4, 1e-4, 4, 8, 0.5)
    nested = defaults.merged({"sleep": {"passes": 5}})
    assert (nested.sleep.passes, nested.sleep.rank, nested.sleep.alpha) == (5, 8, 16)  # the rest kept
    assert defaults.sleep.passes == 3  # merged() returns a copy
    with pytest.raises(SettingsError, match="unknown sleep setting"):
        defaults.merged({"sleep": {"pases": 2}})
    with pytest.raises(SettingsError, match=r"sleep.rank"):
        SleepConfig(rank=0)


def test_unknown_setting_is_refused():
    with pytest.raises(SettingsError, match="unknown setting"):
        AgentSettings.from_any({"contxt_budget": 1000})


@pytest.mark.parametrize("bad", ["../x", "/etc", "..", ".hidden", "a/b", "", "x" * 200, "a\\b", "a\x00b"])
def test_thread_ids_that_could_leave_the_data_folder_are_refused(bad, tmp_path):
    with pytest.raises(InvalidThreadIdError):
        thread_dir(bad, tmp_path)
    assert thread_dir("ok-thread_1.2", tmp_path) == tmp_path / "threads" / "ok-thread_1.2"


def test_build_agent_rejects_bad_settings_before_running(tiny_runtime):
    from sleep_agent import LocalChatModel, build_agent

    with pytest.raises(SettingsError, match="memory"):
        build_agent(LocalChatModel.from_runtime(tiny_runtime), [], memory="nope")
