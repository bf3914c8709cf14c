"""The memory-strategy interface: what the memory node asks of every memory.

Every strategy runs in the same graph and harness. The memory node calls
``context(state)`` to get text for the system prompt before each model call, and
``on_overflow(state, ...)`` when the rendered prompt passes the high-water mark. ``on_overflow``
returns either a state update (evict, summarise, archive...) or :data:`SLEEP` to route the graph to
the sleep node.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from ..settings import AgentSettings

__all__ = ["MemoryStrategy", "MemoryContext", "SLEEP", "ContextOverflowError"]

SLEEP = "sleep"  # on_overflow's answer when the graph must go to the sleep node


class ContextOverflowError(RuntimeError):
    """The window no longer fits and the memory cannot evict (the ``full`` strategy)."""




@dataclass
class MemoryContext:
    """What a strategy may use: the run's settings, the thread, its data folder, the chat model."""

    settings: AgentSettings
    thread_id: str
    thread_dir: Path
    llm: Any  # LocalChatModel


class MemoryStrategy:
    name = "base"

    def context(self, state: dict, ctx: MemoryContext) -> str | None:
        """Text added to the system prompt before a model call (a wake note, a summary, notes)."""
        return state.get("memory_note") or None

    def on_overflow(self, state: dict, body: list[BaseMessage], ctx: MemoryContext) -> dict | str:
        """Handle a window over the high-water mark. ``body`` is the messages after the task."""
        raise NotImplementedError
