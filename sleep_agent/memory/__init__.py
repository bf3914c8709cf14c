"""Memory strategies (one interface, several implementations) and the cut-point rules they share."""

from .base import SLEEP, ContextOverflowError, MemoryContext, MemoryStrategy
from .full import FullMemory
from .sleep import SleepMemory
from .turns import group_turns, split_keep_last
from .window import WindowMemory

STRATEGIES: dict[str, type[MemoryStrategy]] = {
    cls.name: cls for cls in (SleepMemory, WindowMemory, FullMemory)
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
    "WindowMemory",
    "get_strategy",
    "group_turns",
    "split_keep_last",
]
