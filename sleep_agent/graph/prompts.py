"""The texts the agent sees besides the task: system prompt, wake note, tool-call feedback."""

from __future__ import annotations

__all__ = ["DEFAULT_SYSTEM_PROMPT", "wake_note", "invalid_call_feedback", "call_signature"]

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful agent working on a long task with tools. Call one tool at a time. "
    "When the task is done, reply with the final answer and no tool call."
)
MAX_LISTED_CALLS = 40  # the wake note lists recent consolidated calls; older ones are counted only


def call_signature(call: dict) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in (call.get("args") or {}).items())
    return f"{call['name']}({args})"


def wake_note(sleeps: int, version: int, calls: list[str]) -> str:
    """What the agent is told after waking: it slept, its memory is in its weights, what it did."""
    listed = calls[-MAX_LISTED_CALLS:]
    older = len(calls) - len(listed)
    done = "; ".join(listed) if listed else "none"
    more = f" (and {older} earlier)" if older else ""
    return (
        f"[Memory] You have slept {sleeps} time(s) to free your context window. The results of your "
        f"earlier tool calls are no longer shown: they are stored in your memory (adapter v{version}), "
        f"so answer from memory. Tool calls already done{more}: {done}. Continue the task; do not "
        "repeat calls already done."
    )


def invalid_call_feedback(problems: list[str]) -> str:
    shown = "; ".join(problems[:3])
    return (f"Your last reply could not be used: {shown}. Continue the task: reply with one valid "
            "tool call (JSON with \"name\" and \"arguments\" matching the schema) or with your final answer.")
