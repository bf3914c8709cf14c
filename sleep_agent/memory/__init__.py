"""Memory strategies (one interface, five implementations) and the cut-point rules they share.

- ``sleep``: consolidate the window into LoRA weights (:mod:`.sleep`, the sleep node);
- ``vector``: evicted turns into the thread's chromadb collection, top-k back (:mod:`.vector`);
- ``summary``: a running summary by the local model, via LangMem (:mod:`.summary`);
- ``window``: drop the oldest whole turns (:mod:`.window`);
- ``full``: keep everything; a clear error once it no longer fits (:mod:`.full`).
"""

from .base import SLEEP, ContextOverflowError, MemoryContext, MemoryStrategy
from .full import FullMemory
from .sleep import SleepMemory
from .summary import SummaryMemory
from .turns import group_turns, split_keep_last
from .vector import VectorMemory
from .window import WindowMemory

STRATEGIES: dict[str, type[MemoryStrategy]] = {
    cls.name: cls for cls in (SleepMemory, VectorMemory, SummaryMemory, WindowMemory, FullMemory)
}


def get_strategy(name: str) -> MemoryStrategy:
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise ValueError(f"unknown memory {name!r}: choose one of {', '.join(STRATEGIES)}") from None


__all__ = [
    "SLEEP",
    "STRATEGIES",
    "ContextOverflowError",
    "FullMemory",
    "MemoryContext",
    "MemoryStrategy",
    "SleepMemory",
    "SummaryMemory",
    "VectorMemory",
    "WindowMemory",
    "get_strategy",
    "group_turns",
    "split_keep_last",
]
