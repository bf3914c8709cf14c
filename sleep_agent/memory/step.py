"""One memory step, the same for the graph and the scripted evals: what the model sees, and what
happens when it no longer fits.

- :func:`build_prompt` is the one place that decides what the model sees: the agent's system prompt
  with the memory's text (wake note, retrieved notes, summary), then the window. The agent node
  renders it; the memory step counts it.
- :func:`memory_step` runs after every tool result: oversized tool results are cut (kept in state
  with a marker), the prompt is counted exactly (template and tool schemas included), and past
  ``high_water x context_budget`` the strategy answers an :class:`~.base.Update` or a
  :class:`~.base.Sleep`.
- :func:`apply_update` applies an update the way LangGraph's reducer does, for callers outside a
  graph (the scripted evals), so both walk the same states.

Example::

    >>> step = memory_step(strategy, state, ctx)
    >>> step.tokens, step.outcome          # 1730, Sleep(evicted=[...]) or Update(...) or None
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage, SystemMessage, ToolMessage
from langgraph.graph.message import add_messages

from ..models.messages import content_text
from ..turns import split_task
from .base import MemoryContext, MemoryStrategy, Overflow

__all__ = ["MemoryStep", "apply_update", "build_prompt", "memory_step", "truncate_tool_results"]

RECENT_MESSAGES = 8  # tool results checked for length per step: older ones were checked when they came in


def build_prompt(strategy: MemoryStrategy, state: dict, ctx: MemoryContext) -> list[BaseMessage]:
    """System prompt (+ the strategy's context text) followed by the window."""
    extra = strategy.context(state, ctx)
    system = ctx.system_prompt + (f"\n\n{extra}" if extra else "")
    return [SystemMessage(system)] + list(state.get("messages", []))


def truncate_tool_results(messages: list[BaseMessage], limit: int) -> list[BaseMessage]:
    """Replacements (same id) for tool results longer than ``limit``, with an explicit marker."""
    out = []
    for m in messages:
        if isinstance(m, ToolMessage):
            text = content_text(m.content)
            if len(text) > limit:
                marker = f"\n[... truncated by sleep-agent: {len(text) - limit} of {len(text)} characters cut]"
                out.append(m.model_copy(update={"content": text[:limit] + marker}))
    return out


@dataclass
class MemoryStep:
    tokens: int                                   # the prompt's exact size after the truncation
    truncated: list[BaseMessage] = field(default_factory=list)  # replacements to store (same ids)
    outcome: Overflow | None = None               # None: under the high-water mark


def apply_update(state: dict, values: dict) -> dict:
    """``state`` with a node update applied: ``messages`` through ``add_messages``, the rest replaced."""
    out = {**state, **{k: v for k, v in values.items() if k != "messages"}}
    if "messages" in values:
        out["messages"] = add_messages(state.get("messages", []), values["messages"])
    return out


def memory_step(strategy: MemoryStrategy, state: dict, ctx: MemoryContext) -> MemoryStep:
    """Cut oversized tool results, count the prompt, and past the high-water mark ask the strategy."""
    truncated = truncate_tool_results(state.get("messages", [])[-RECENT_MESSAGES:],
                                      ctx.settings.max_tool_result_chars)
    if truncated:
        state = apply_update(state, {"messages": truncated})
    tokens = ctx.count(build_prompt(strategy, state, ctx))
    step = MemoryStep(tokens, truncated)
    if tokens > ctx.settings.high_water * ctx.settings.context_budget:
        _, body = split_task(state["messages"])
        step.outcome = strategy.on_overflow({**state, "prompt_tokens": tokens}, body, ctx)
    return step
