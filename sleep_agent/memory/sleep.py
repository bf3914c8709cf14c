"""``sleep`` memory: on overflow, route to the sleep node, which writes the window into LoRA weights.

The consolidation itself lives in :mod:`sleep_agent.consolidation`; the sleep node in
:mod:`sleep_agent.graph.sleep_node` persists the trajectory, runs it, and clears the window.
"""

from __future__ import annotations

from .base import SLEEP, MemoryContext, MemoryStrategy

__all__ = ["SleepMemory"]


class SleepMemory(MemoryStrategy):
    name = "sleep"

    def on_overflow(self, state, body, ctx: MemoryContext):
        return SLEEP
