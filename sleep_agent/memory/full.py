"""``full`` memory: never evict. The ceiling while the run fits; a clear error once it does not."""

from __future__ import annotations

from .base import ContextOverflowError, MemoryContext, MemoryStrategy, Update

__all__ = ["FullMemory"]


class FullMemory(MemoryStrategy):
    name = "full"

    def on_overflow(self, state, body, ctx: MemoryContext):
        max_ctx = ctx.llm.rt.max_context
        tokens = state.get("prompt_tokens", 0)
        if tokens + ctx.settings.max_new_tokens <= max_ctx:
            return Update()  # over our budget but still inside the model's window: keep everything
        raise ContextOverflowError(
            f"memory 'full' keeps every message, and the prompt is now {tokens} tokens: with "
            f"{ctx.settings.max_new_tokens} for the reply it no longer fits the model's {max_ctx}-token "
            "window. Use --memory sleep, vector, summary or window for runs this long."
        )
