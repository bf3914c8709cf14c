"""The ``recall`` tool: the woken agent asks its own adapter a question, in the form the sleep trained.

A sleep trains question/answer pairs ("What is the city of X?" -> "The city of X is Y.") under a short
system prompt. Awake, the agent decodes under a long one with tool schemas and a task, and a 0.5B model
does not carry recall across that gap: the demo's agent knew the answer in question/answer form and
still answered its task with junk. ``recall(question)`` closes the gap without leaving the weights:
the same model, with the thread's adapter on, answers the question in the trained form, gated to the
entities its sleeps consolidated (:mod:`sleep_agent.consolidation.gate`); the answer comes back as a
tool result the agent can use.

Example::

    >>> tool = make_recall_tool(cfg)
    >>> tool.invoke({"question": "In which city does Samor Fenkarin live?"}, config)
    'The city of Samor Fenkarin is Olvesby.'
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from ..consolidation import EntityGate, SleepTrainConfig, answer_question
from .context import AgentConfig, thread_id_of, use_thread_adapter

__all__ = ["make_recall_tool", "RECALL_TOOL"]

RECALL_TOOL = "recall"


class _RecallArgs(BaseModel):
    question: str = Field(description="A question about something seen earlier in this task, e.g. "
                                      "'What is the city of Samor Fenkarin?'")


def make_recall_tool(cfg: AgentConfig) -> BaseTool:
    def recall(question: str, config: RunnableConfig) -> str:
        thread = thread_id_of(config)
        rt = cfg.runtime()
        with rt.lock:
            version = use_thread_adapter(cfg, thread)
            if version is None:
                return "Nothing is stored in memory yet (no sleep has happened in this task)."
            gate = EntityGate.from_adapter(cfg.store(thread).version_path(version))
            return answer_question(rt, question, SleepTrainConfig.system_prompt, max_new_tokens=48,
                                   gate=gate).strip()

    return StructuredTool.from_function(
        recall, name=RECALL_TOOL, args_schema=_RecallArgs,
        description="Ask your memory about results that have left the window (after a sleep). "
                    "Give one question about one person or thing; the answer comes from your memory.")
