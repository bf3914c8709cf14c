"""The texts the agent sees besides the task: system prompt, wake note, tool-call feedback."""

from __future__ import annotations

from collections import Counter

__all__ = ["DEFAULT_SYSTEM_PROMPT", "LOOP_NOTE", "wake_note", "invalid_call_feedback", "call_signature"]

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful agent working on a long task with tools. Call one tool at a time. "
    "When the task is done, reply with the final answer and no tool call."
)
LOOP_NOTE = ("Your last tool calls all returned the same result, so calling again will not help. "
             "Answer the task now in plain words, from what you know and remember.")
# Distinct consolidated calls listed in the wake note, the most recent ones (the count covers all).
# The note sits in every later prompt: at 40 calls it took ~400 tokens and pushed the window to
# sleep again after a turn or two (measured in agent-mode evals); the last few say where to go on.
MAX_LISTED_CALLS = 8


def call_signature(call: dict) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in (call.get("args") or {}).items())
    return f"{call['name']}({args})"


def wake_note(sleeps: int, version: int | None, calls: list[str], rejected: list[str] | None = None, *,
              recall: bool = False) -> str:
    """What the agent is told after waking: it slept, its memory is in its weights, what it did.

    ``rejected``: the last sleep failed validation and was not kept, so the agent is told that the
    newest results are not in its memory (rather than trusting a memory it does not have).
    ``recall``: the agent has the ``recall`` tool, and is told to use it for earlier results.
    """
    counts = Counter(calls)
    listed = [f"{c} x{n}" if n > 1 else c for c, n in list(counts.items())[-MAX_LISTED_CALLS:]]
    done = "; ".join(listed) if listed else "none"
    if len(counts) > len(listed):
        done = f"the last {len(listed)}: {done}"
    where = f"adapter v{version}" if version else "no adapter yet"
    caveat = (" The last sleep could not store its results reliably, so the most recent of them may be "
              "missing from your memory." if rejected else "")
    return (
        f"[Memory] You have slept {sleeps} time(s) to free your context window. The results of your "
        f"earlier tool calls are no longer shown: they are stored in your memory ({where}), "
        f"so answer questions about them from memory.{caveat} Tool calls done so far ({len(calls)}): "
        f"{done}. Continue the task from where you left off."
        + (" When you need an earlier result, call recall with a question about it." if recall else "")
    )


def invalid_call_feedback(problems: list[str]) -> str:
    shown = "; ".join(problems[:3])
    return (f"Your last reply could not be used: {shown}. Continue the task: reply with one valid "
            "tool call (JSON with \"name\" and \"arguments\" matching the schema) or with your final answer.")
