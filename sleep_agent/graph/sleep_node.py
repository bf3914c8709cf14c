"""The sleep node: graph plumbing around the sleep memory's own ``sleep``.

Steps, in crash-safe order:
1. take the turns the memory step chose (``sleep_evict``: whole turns, decided once, in the memory);
2. write them, with the task, to disk (write-ahead) before anything is cleared;
3. let the memory consolidate them (:meth:`sleep_agent.memory.SleepMemory.sleep`: sleep data, LoRA
   training, validation, atomic publish) and return the update that clears the window;
4. stream progress (phase, step, loss, seconds) as LangGraph custom events: ``{"sleep": {...}}``.
"""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from ..crashpoints import crash_point
from ..memory import Sleep, SleepMemory, split_task
from ..settings import AgentContext
from .context import AgentConfig, run_settings
from .trajectory import write_trajectory

__all__ = ["make_sleep_node"]


def _writer():
    try:
        return get_stream_writer()
    except RuntimeError:  # called outside a graph run (tests)
        return lambda _: None


def make_sleep_node(cfg: AgentConfig):
    def sleep(state: dict, runtime: Runtime[AgentContext], config) -> dict:
        settings = run_settings(runtime, cfg.settings)
        ctx = cfg.memory_context(settings, config)
        memory = cfg.strategy(settings)
        if not isinstance(memory, SleepMemory):  # a run whose context switched memory mid-run
            memory = cfg.strategy(settings.merged({"memory": "sleep"}))
        pinned, body = split_task(state["messages"])
        chosen = set(state.get("sleep_evict") or ())
        if chosen:
            evicted = [m for m in body if m.id in chosen]
        else:  # a checkpoint saved between the memory and sleep nodes by an older version
            outcome = memory.on_overflow(state, body, ctx)
            evicted = outcome.evicted if isinstance(outcome, Sleep) else []
        write = _writer()
        index = len(state.get("sleeps") or []) + 1
        write({"sleep": {"phase": "start", "sleep": index, "messages": len(evicted), "seconds": 0.0}})
        path = write_trajectory(ctx.thread.trajectory_dir, index, pinned + evicted)  # write-ahead
        crash_point("sleep_after_trajectory")
        update = memory.sleep(state, evicted, ctx, trajectory_file=str(path),
                              progress=lambda e: write({"sleep": {**e, "sleep": index}}))
        return {**update, "sleep_evict": []}

    return sleep
