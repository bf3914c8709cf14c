"""``sleep`` memory: on overflow, route to the sleep node, which writes the window into LoRA weights.

The consolidation itself lives in :mod:`sleep_agent.consolidation`; the sleep node in
:mod:`sleep_agent.graph.sleep_node` persists the trajectory, runs it, and clears the window.
"""

from __future__ import annotations

from .base import SLEEP, MemoryContext, MemoryStrategy
from .turns import split_keep_last

__all__ = ["SleepMemory"]


class SleepMemory(MemoryStrategy):
    name = "sleep"

    def on_overflow(self, state, body, ctx: MemoryContext):
        """Sleep, unless the sleep would free under ``min_sleep_share`` of the budget and the prompt
        still fits the budget itself: then go on and sleep a turn or two later.

        Why: a sleep costs about the same (minutes on a CPU) however little it consolidates, and
        after the first one the fixed prompt (instructions, tool schemas, ``recall``, wake note) can
        fill most of a small budget. Sleeping at every pass of the high-water mark then evicted one
        turn per sleep (docs/memory-steps.md: 6 sleeps in 9 steps at a 600-token budget).
        """
        s = ctx.settings
        if state.get("prompt_tokens", 0) <= s.context_budget and ctx.llm is not None:
            evictable, _ = split_keep_last(body, min(s.keep_last_turns, 1))
            if ctx.llm.get_num_tokens_from_messages(evictable) < s.min_sleep_share * s.context_budget:
                return {}  # nothing removed: the agent goes on over the high-water mark
        return SLEEP
