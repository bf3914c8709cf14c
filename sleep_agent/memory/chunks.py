"""Evicted turns as text chunks (what the vector memory stores and retrieves).

A turn (an assistant tool call with its results, or one message) is rendered as plain lines:

    Called lookup(name='Samor Fenkarin')
    Result: {"name": "Samor Fenkarin", "city": "Olvesby"}

Turns are packed into chunks of at most ``max_chars`` without ever splitting a turn, so a retrieved
tool result always comes with the call that produced it. A single turn longer than ``max_chars`` is a
chunk of its own, cut with an explicit marker.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from ..call_text import call_signature
from ..models.messages import content_text
from ..turns import group_turns

__all__ = ["turn_text", "chunk_turns"]


def _message_text(m: BaseMessage) -> str:
    text = content_text(m.content).strip()
    if isinstance(m, AIMessage):
        calls = [f"Called {call_signature(c['name'], c.get('args'))}" for c in m.tool_calls]
        return "\n".join(([f"Assistant: {text}"] if text else []) + calls)
    if isinstance(m, ToolMessage):
        return f"Result: {text}"
    if isinstance(m, HumanMessage):
        return f"User: {text}"
    return text


def turn_text(turn: Sequence[BaseMessage]) -> str:
    return "\n".join(t for m in turn if (t := _message_text(m)))


def chunk_turns(messages: Sequence[BaseMessage], max_chars: int) -> list[str]:
    """Pack whole turns into chunks of at most ``max_chars`` characters (see the module docstring)."""
    chunks: list[str] = []
    current = ""
    for turn in group_turns(messages):
        text = turn_text(turn)
        if not text:
            continue
        if len(text) > max_chars:
            text = text[:max_chars] + f" [... {len(text) - max_chars} characters cut]"
        if current and len(current) + 1 + len(text) > max_chars:
            chunks.append(current)
            current = ""
        current = f"{current}\n{text}" if current else text
    if current:
        chunks.append(current)
    return chunks
