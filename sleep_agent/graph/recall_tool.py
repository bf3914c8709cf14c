"""The ``recall`` tool: the woken agent asks its own adapter a question, in the form the sleep trained.

A sleep trains question/answer pairs ("What is the city of X?" -> "The city of X is Y.") under a short
system prompt. Awake, the agent decodes under a long one with tool schemas and a task, and a 0.5B model
does not carry recall across that gap. ``recall(question)`` closes it without leaving the weights: the
sleep memory answers the question with the thread's adapter on, gated to the entities its sleeps
consolidated (:meth:`sleep_agent.memory.SleepMemory.recall`); the answer comes back as a tool result.

Example::

    >>> tool = make_recall_tool(cfg)
    >>> tool.invoke({"question": "In which city does Samor Fenkarin live?"}, config)
    'The city of Samor Fenkarin is Olvesby.'
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from ..memory import RECALL_TOOL, SleepMemory
from .context import AgentConfig

__all__ = ["make_recall_tool", "RECALL_TOOL"]

NOTHING_STORED = "Nothing is stored in memory yet (no sleep has happened in this task)."


class _RecallArgs(BaseModel):
    # Short texts: the schema is in every prompt (at the demo's 600-token budget, the longer ones
    # cost 109 tokens, more than a whole tool turn). No example value: with "e.g. 'What is the city
    # of Samor Fenkarin?'" the 0.5B model's first call on 3 of 6 demo seeds was next_record with a
    # made-up "city" schema as its arguments; with this text, 6 of 6 were right.
    question: str = Field(description="a question about an earlier result")


def make_recall_tool(cfg: AgentConfig) -> BaseTool:
    memory = SleepMemory()  # recall reads only the thread's adapter: any sleep memory object answers the same

    def recall(question: str, config: RunnableConfig) -> str:
        ctx = cfg.memory_context(cfg.settings, config)
        answers = memory.recall([question], ctx)
        return NOTHING_STORED if answers is None else answers[0].strip()

    return StructuredTool.from_function(
        recall, name=RECALL_TOOL, args_schema=_RecallArgs,
        description="Ask your memory one question about an earlier result that is no longer shown.")
