"""Cut points: split a message list into turns so a cut never orphans a tool result.

A turn starts at any message that is not a ToolMessage; the ToolMessages that follow an assistant
tool call belong to that call's turn. Cutting only at turn starts keeps every assistant tool call
together with its results (summarisers that cut elsewhere leave orphaned tool messages, which
break the next model call).
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage, ToolMessage

__all__ = ["group_turns", "split_keep_last"]


def group_turns(messages: Sequence[BaseMessage]) -> list[list[BaseMessage]]:
    turns: list[list[BaseMessage]] = []
    for m in messages:
        if isinstance(m, ToolMessage) and turns:
            turns[-1].append(m)
        else:
            turns.append([m])
    return turns


def split_keep_last(messages: Sequence[BaseMessage], keep_turns: int) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """Return ``(evicted, kept)`` where ``kept`` holds the last ``keep_turns`` whole turns."""
    turns = group_turns(messages)
    cut = max(len(turns) - max(keep_turns, 0), 0)
    evicted = [m for t in turns[:cut] for m in t]
    kept = [m for t in turns[cut:] for m in t]
    return evicted, kept
