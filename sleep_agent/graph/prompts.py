"""The texts the agent sees besides the task: system prompt, loop note, tool-call feedback.

(The wake note after a sleep is the sleep memory's: :mod:`sleep_agent.memory.wake_note`.)
"""

from __future__ import annotations

__all__ = ["DEFAULT_SYSTEM_PROMPT", "DONE_NOTE", "LOOP_NOTE", "invalid_call_feedback"]

DEFAULT_SYSTEM_PROMPT = (
    "You are a careful agent working on a long task with tools. Call one tool at a time. "
    "When the task is done, reply with the final answer and no tool call."
)
LOOP_NOTE = ("Your last tool calls all returned the same result, so calling again will not help. "
             "Answer the task now in plain words, from what you know and remember.")
DONE_NOTE = "The tools have nothing more to give. Answer the task now in plain words, from what you know and remember."


def invalid_call_feedback(problems: list[str]) -> str:
    shown = "; ".join(problems[:3])
    return (f"Your last reply could not be used: {shown}. Continue the task: reply with one valid "
            "tool call (JSON with \"name\" and \"arguments\" matching the schema) or with your final answer.")
