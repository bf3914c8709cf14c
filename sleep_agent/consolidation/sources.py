"""What a sleep may learn from: the evicted window cut into sources, each with where it came from.

A source is one piece of content the agent saw or wrote, in its best form: a tool result (its
structured ``artifact`` when the tool gave one, else the JSON it parses to, else its text), a user
message, or the agent's own words (notes, conclusions). The fact extractors (:mod:`.records`,
:mod:`.statements`, :mod:`.self_study`) read sources, never raw messages, so every fact carries its
``origin``.

Never learned, because they are not about the task's world:

- the graph's own messages: parse-error feedback (:func:`is_graph_note`), the loop note;
- failed or refused tool calls (``status="error"`` or an ``Error: ...`` result, how tools report a
  bad path or expression), and invalid calls the graph never ran;
- text a small model wrote beside a tool call (the agent node moves it to metadata: mostly echo);
- tool calls written as text (:func:`~sleep_agent.models.tool_parsing.without_calls`): a plan the
  model wrote out, a call cut off mid-object, a "Next: call {...}" hint. Learned as what is known about
  the people they name, they made the woken model answer "where is X's office?" with a call (seen
  on the small suite's ``updates``, seed 1: 10 such facts in one sleep);
- the task itself (the first user message): it stays pinned in the window, and training it made
  the 0.5B model recite the task after waking.

Example::

    >>> [s.origin for s in sources(messages)]
    ['lookup(name=\\'Ana Reyes\\')', 'user message', 'assistant note']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from ..call_text import call_signature
from ..models.messages import content_text
from ..models.tool_parsing import without_calls
from ..names import GRAPH_NOTE_KEY

__all__ = ["GRAPH_NOTE_KEY", "Source", "is_graph_note", "is_failed_result", "sources"]

# Prefixes of graph notes written before messages were marked (threads saved by older versions).
_GRAPH_NOTE_PREFIXES = ("Your last reply could not be used:", "Your last tool calls all returned the same result")


@dataclass(frozen=True)
class Source:
    """One piece of content: ``text``, ``value`` (a parsed JSON value, or None for plain text) and
    ``origin`` (the call that returned it, e.g. ``lookup(name='Ana')``, or ``user message``,
    ``assistant note``)."""

    text: str
    value: Any
    origin: str
    tool: str = ""           # the tool's name for a tool result
    args: tuple = ()         # the call's arguments as (key, value) pairs


def is_graph_note(message: BaseMessage) -> bool:
    """Whether ``message`` was written by the graph (feedback, loop note), not by the user."""
    if message.additional_kwargs.get(GRAPH_NOTE_KEY):
        return True
    return content_text(message.content).lstrip().startswith(_GRAPH_NOTE_PREFIXES)


def is_failed_result(message: ToolMessage) -> bool:
    """Whether a tool result reports a failure rather than data."""
    return getattr(message, "status", "success") == "error" or content_text(message.content).lstrip().startswith("Error")


def _parse(text: str) -> Any:
    """The JSON value ``text`` holds when it is a JSON object or list, else None."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def sources(messages: Sequence[BaseMessage]) -> list[Source]:
    """The learnable content of ``messages``, in order (see the module docstring for what is left out)."""
    calls = {c.get("id"): c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    out: list[Source] = []
    for i, m in enumerate(messages):
        text = without_calls(content_text(m.content)).strip()
        if not text and not (isinstance(m, ToolMessage) and isinstance(m.artifact, (dict, list))):
            continue
        if isinstance(m, ToolMessage):
            call = calls.get(m.tool_call_id)
            if call is None or is_failed_result(m):
                continue
            args = call.get("args") or {}
            value = m.artifact if isinstance(m.artifact, (dict, list)) else _parse(text)
            out.append(Source(text, value, call_signature(call["name"], args), call["name"], tuple(args.items())))
        elif isinstance(m, HumanMessage):
            if i == 0 or is_graph_note(m):
                continue
            out.append(Source(text, _parse(text), "user message"))
        elif isinstance(m, AIMessage) and not m.tool_calls:
            out.append(Source(text, None, "assistant note"))
    return out
