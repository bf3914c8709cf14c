"""``window`` memory: drop the oldest whole turns (a tool call never loses its results)."""

from __future__ import annotations

from langchain_core.messages import RemoveMessage

from .base import MemoryContext, MemoryStrategy, Update

__all__ = ["WindowMemory"]


class WindowMemory(MemoryStrategy):
    name = "window"

    def on_overflow(self, state, body, ctx: MemoryContext):
        evicted = self.evict(body, ctx)
        return Update({"messages": [RemoveMessage(id=m.id) for m in evicted],
                       "evicted_messages": state.get("evicted_messages", 0) + len(evicted)})
