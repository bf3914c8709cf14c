"""The texts the agent sees besides the task: system prompt, loop note, tool-call feedback.

(The wake note after a sleep is the sleep memory's: :mod:`sleep_agent.memory.wake_note`.)
"""

from __future__ import annotations

__all__ = ["DEFAULT_SYSTEM_PROMPT", "DONE_NOTE", "LOOP_NOTE", "answer_now", "invalid_call_feedback"]

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful agent working on a long task with tools. Call one tool at a time. "
    "When the task is done, reply with the final answer and no tool call."
)
LOOP_NOTE = ("Your last tool calls all returned the same result, so calling again will not help. "
             "Answer the task now in plain words, from what you know and remember.")
DONE_NOTE = "The tools have nothing more to give. Answer the task now in plain words, from what you know and remember."


def answer_now(note: str, task: str) -> str:
    """The message that asks for the final answer (``note``: :data:`DONE_NOTE` or :data:`LOOP_NOTE`),
    with the task restated: after a sleep the task may be the only earlier turn left, and asked
    with the note alone the 0.5B model echoed the note back as its answer (demo seed 0, 2026-12-03);
    with the task restated it answered from its recollection (2 of 2 dev runs)."""
    return f"{note}\n\nThe task: {task}" if task else note


def invalid_call_feedback(problems: list[str]) -> str:
    shown = "; ".join(problems[:3])
    return (f"Your last reply could not be used: {shown}. Continue the task: reply with one valid "
            "tool call (JSON with \"name\" and \"arguments\" matching the schema) or with your final answer.")
