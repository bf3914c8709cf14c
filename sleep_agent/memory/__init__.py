"""Memories: one interface, five implementations, and the step the graph and the evals share.

- ``sleep``: consolidate the window into LoRA weights (:mod:`.sleep`; recall from the adapter too);
- ``vector``: evicted turns into the thread's chromadb collection, top-k back (:mod:`.vector`);
- ``summary``: a running summary by the local model, via LangMem (:mod:`.summary`);
- ``window``: drop the oldest whole turns (:mod:`.window`);
- ``full``: keep everything; a clear error once it no longer fits (:mod:`.full`).

:mod:`.step` builds the prompt and runs the budget check; :mod:`sleep_agent.turns` holds the cut
rule every memory evicts by.
"""

from ..names import MEMORY_NAMES
from ..turns import choose_eviction, group_turns, split_keep_last, split_task
from .base import ContextOverflowError, MemoryContext, MemoryStrategy, Overflow, Sleep, Update
from .full import FullMemory
from .sleep import RECALL_TOOL, WAKE_ROOM_TURNS, SleepMemory
from .step import MemoryStep, apply_update, build_prompt, memory_step, truncate_tool_results
from .summary import SummaryMemory
from .vector import RETRIEVED_HEADER, VectorMemory
from .wake_note import wake_note
from .window import WindowMemory

STRATEGIES: dict[str, type[MemoryStrategy]] = {
    cls.name: cls for cls in (SleepMemory, VectorMemory, SummaryMemory, WindowMemory, FullMemory)
}
assert tuple(STRATEGIES) == MEMORY_NAMES, "sleep_agent.names.MEMORY_NAMES lists every memory, in order"


def get_strategy(name: str) -> MemoryStrategy:
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise ValueError(f"unknown memory {name!r}: choose one of {', '.join(STRATEGIES)}") from None


__all__ = [
    "RECALL_TOOL",
    "RETRIEVED_HEADER",
    "STRATEGIES",
    "ContextOverflowError",
    "FullMemory",
    "MemoryContext",
    "MemoryStep",
    "MemoryStrategy",
    "Overflow",
    "Sleep",
    "SleepMemory",
    "WAKE_ROOM_TURNS",
    "SummaryMemory",
    "Update",
    "VectorMemory",
    "WindowMemory",
    "apply_update",
    "build_prompt",
    "choose_eviction",
    "get_strategy",
    "group_turns",
    "memory_step",
    "split_keep_last",
    "split_task",
    "truncate_tool_results",
    "wake_note",
]
