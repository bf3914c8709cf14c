"""The sleep node: consolidate the evicted window into the thread's adapter, then clear the window.

Steps, in crash-safe order:
1. choose the cut (whole turns; the task and the last ``keep_last_turns`` turns stay);
2. write the trajectory to be consolidated to disk (write-ahead) before anything is cleared;
3. consolidate (sleep data, LoRA training, held-out check) and publish a new adapter version
   atomically; the runtime activates it;
4. clear the window: remove the evicted messages, set the wake note.
Progress (phase, step, loss, seconds) is streamed as LangGraph custom events: ``{"sleep": {...}}``.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, RemoveMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from ..consolidation import SleepTrainConfig, consolidate
from ..crashpoints import crash_point
from ..memory import split_keep_last
from ..settings import AgentContext
from .context import AgentConfig, run_settings, split_task, thread_id_of
from .prompts import call_signature, wake_note
from .recall_tool import RECALL_TOOL
from .trajectory import write_trajectory

__all__ = ["make_sleep_node", "choose_eviction"]


def _writer():
    try:
        return get_stream_writer()
    except RuntimeError:  # called outside a graph run (tests)
        return lambda _: None


def choose_eviction(body: list, keep_turns: int, min_tokens: int, count) -> list:
    """The oldest turns to consolidate: all but the last ``keep_turns`` whole turns, keeping fewer
    when that would evict under ``min_tokens`` (a sleep costs the same however little it learns).
    The last turn stays unless ``keep_turns`` is 0, so the agent knows what it was just doing."""
    for keep in range(keep_turns, 0, -1):
        evicted, _ = split_keep_last(body, keep)
        if evicted and count(evicted) >= min_tokens:
            return evicted
    return split_keep_last(body, min(keep_turns, 1))[0]


def make_sleep_node(cfg: AgentConfig):
    def sleep(state: dict, runtime: Runtime[AgentContext], config) -> dict:
        settings = run_settings(runtime, cfg.settings)
        ctx = cfg.memory_context(settings, config)
        pinned, body = split_task(state["messages"])
        evicted = choose_eviction(body, settings.keep_last_turns,
                                  int(settings.min_sleep_share * settings.context_budget),
                                  lambda ms: cfg.llm.get_num_tokens_from_messages(ms))
        write = _writer()
        index = len(state.get("sleeps", [])) + 1
        start = state.get("evicted_messages", 0)
        write({"sleep": {"phase": "start", "sleep": index, "messages": len(evicted), "seconds": 0.0}})
        path = write_trajectory(ctx.thread_dir, index, pinned + evicted)  # write-ahead
        crash_point("sleep_after_trajectory")

        train_cfg = SleepTrainConfig(passes=settings.sleep_passes, lr=settings.sleep_lr,
                                     rank=settings.lora_rank, alpha=2 * settings.lora_rank,
                                     distill=settings.sleep_distill,
                                     agent_system_prompt=cfg.system_prompt,
                                     tools=[convert_to_openai_tool(t) for t in cfg.tools])
        report = consolidate(cfg.runtime(), cfg.store(thread_id_of(config)), pinned + evicted,
                             config=train_cfg, span=(start, start + len(evicted)),
                             progress=lambda e: write({"sleep": {**e, "sleep": index}}))
        crash_point("sleep_after_publish")  # published and live, window not yet cleared

        calls = list(state.get("consolidated_calls", []))
        calls += [call_signature(c) for m in evicted if isinstance(m, AIMessage) for c in m.tool_calls]
        # at_step: the agent step the sleep followed, so the first step after waking can be told apart
        info = {**report.to_dict(), "sleep": index, "trajectory_file": str(path), "at_step": state.get("steps", 0)}
        return {
            "messages": [RemoveMessage(id=m.id) for m in evicted],
            "memory_note": wake_note(index, report.version, calls, report.rejected,
                                     recall=any(t.name == RECALL_TOOL for t in cfg.tools)),
            "consolidated_calls": calls,
            "sleeps": list(state.get("sleeps", [])) + [info],
            "adapter_version": report.version,
            "evicted_messages": start + len(evicted),
        }

    return sleep
