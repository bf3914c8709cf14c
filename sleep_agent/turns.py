"""Cut points: split a message list into turns so a cut never orphans a tool result.

A turn starts at any message that is not a ToolMessage; the ToolMessages that follow an assistant
tool call belong to that call's turn. Cutting only at turn starts keeps every assistant tool call
together with its results (summarisers that cut elsewhere leave orphaned tool messages, which
break the next model call). The task (the first human message) is pinned: never evicted.

:func:`choose_eviction` is the one eviction rule every memory uses: all but the last
``keep_last_turns`` whole turns leave, and a memory that needs a least amount to be worth its cost
(the sleep) keeps fewer turns to reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

__all__ = ["choose_eviction", "group_turns", "split_keep_last", "split_task"]


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


def split_task(messages: Sequence[BaseMessage]) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """``(pinned, body)``: the messages up to the first human message (the task) are never evicted."""
    for i, m in enumerate(messages):
        if isinstance(m, HumanMessage):
            return list(messages[: i + 1]), list(messages[i + 1:])
    return [], list(messages)


def choose_eviction(body: Sequence[BaseMessage], keep_turns: int, min_tokens: int = 0,
                    count: Callable[[list[BaseMessage]], int] | None = None) -> list[BaseMessage]:
    """The oldest whole turns of ``body`` to evict: all but the last ``keep_turns``.

    With ``min_tokens`` > 0 (``count`` measures a message list), fewer turns are kept when keeping
    ``keep_turns`` would evict under ``min_tokens``; the last turn stays unless ``keep_turns`` is 0, so
    the agent knows what it was just doing."""
    if min_tokens <= 0:
        return split_keep_last(body, keep_turns)[0]
    for keep in range(keep_turns, 0, -1):
        evicted, _ = split_keep_last(body, keep)
        if evicted and count(evicted) >= min_tokens:
            return evicted
    return split_keep_last(body, min(keep_turns, 1))[0]
