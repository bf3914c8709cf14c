"""Convert LangChain messages to the plain dicts that ``tokenizer.apply_chat_template`` renders.

The rendering must be the same when the agent is awake, when tokens are counted and when sleep data
is built, so this is the only place that does it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

__all__ = ["to_template_dicts", "content_text", "transcript"]


def content_text(content) -> str:
    """Message content as text (LangChain allows a list of text/other blocks)."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "".join(parts)


def _tool_call_dict(call: dict) -> dict:
    args = call.get("args", {})
    if isinstance(args, str):  # should not happen for valid calls; keep the text rather than fail
        try:
            args = json.loads(args)
        except ValueError:
            args = {"raw": args}
    return {"type": "function", "function": {"name": call["name"], "arguments": args}}


def to_template_dicts(messages: Sequence[BaseMessage]) -> list[dict]:
    out: list[dict] = []
    for m in messages:
        text = content_text(m.content)
        if isinstance(m, SystemMessage):
            out.append({"role": "system", "content": text})
        elif isinstance(m, HumanMessage):
            out.append({"role": "user", "content": text})
        elif isinstance(m, AIMessage):
            d = {"role": "assistant", "content": text}
            if m.tool_calls:
                d["tool_calls"] = [_tool_call_dict(c) for c in m.tool_calls]
            out.append(d)
        elif isinstance(m, ToolMessage):
            out.append({"role": "tool", "content": text, "name": getattr(m, "name", None) or ""})
        elif isinstance(m, ChatMessage):
            out.append({"role": m.role, "content": text})
        else:
            raise TypeError(f"unsupported message type {type(m).__name__}")
    return out


def transcript(messages: Sequence[BaseMessage]) -> str:
    """The messages as plain text, one line each: a window shown as something read, not as turns.

    A question asked after the window in chat form follows tool turns, and a small model answers it
    with the next tool call; asked after this text it answers the question.
    """
    lines = []
    for m in messages:
        text = content_text(m.content).strip()
        if isinstance(m, AIMessage):
            if text:
                lines.append(f"Assistant: {text}")
            lines += [f"Assistant called {c['name']}({json.dumps(c.get('args', {}), ensure_ascii=False)})"
                      for c in m.tool_calls]
        elif isinstance(m, ToolMessage):
            lines.append(f"Result of {getattr(m, 'name', None) or 'the tool'}: {text}")
        elif isinstance(m, HumanMessage):
            lines.append(f"User: {text}")
        elif text:
            lines.append(f"Note: {text}")
    return "\n".join(lines)
