"""The memory-strategy interface: what the memory step asks of every memory.

Every strategy runs in the same graph and the same scripted evals (:mod:`.step`). Before each model
call ``context(state, ctx)`` gives text for the system prompt; when the rendered prompt passes the
high-water mark, ``on_overflow(state, body, ctx)`` answers with a typed value:

- :class:`Update`: state changes to apply now (messages removed, a summary, a note), or
- :class:`Sleep`: these turns must be consolidated; the graph's sleep node writes them ahead and
  calls the memory's ``sleep`` (only :class:`~.sleep.SleepMemory` answers this).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from ..adapters import Thread
from ..names import MemoryName
from ..settings import AgentSettings
from ..turns import choose_eviction

__all__ = ["ContextOverflowError", "MemoryContext", "MemoryStrategy", "Overflow", "Sleep", "Update"]


class ContextOverflowError(RuntimeError):
    """The window no longer fits and the memory cannot evict (the ``full`` strategy)."""


@dataclass(frozen=True)
class Update:
    """State changes from an overflow, applied as a graph node's update: ``messages`` go through
    LangGraph's ``add_messages`` (``RemoveMessage(id=...)`` removes one); other keys replace."""

    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sleep:
    """The oldest whole turns, to be consolidated into the adapter and then cleared from the window."""

    evicted: list[BaseMessage]


Overflow = Update | Sleep


@dataclass
class MemoryContext:
    """What a strategy may use: the run's settings, the thread, the chat model, and the agent's own
    system prompt and tool schemas (OpenAI format), which every prompt is rendered with."""

    settings: AgentSettings
    thread: Thread
    llm: Any  # LocalChatModel
    system_prompt: str = ""
    tools: list[dict] = field(default_factory=list)

    @property
    def thread_id(self) -> str:
        return self.thread.id

    @property
    def thread_dir(self) -> Path:
        return self.thread.dir

    def count(self, messages: list[BaseMessage], *, with_tools: bool = True) -> int:
        """Exact tokens of ``messages`` as the model sees them (template, and tool schemas if asked)."""
        return self.llm.get_num_tokens_from_messages(messages, tools=self.tools if with_tools else None)


class MemoryStrategy:
    name: MemoryName

    def prepare(self, state: dict, ctx: MemoryContext) -> dict:
        """State to add before a model call, with this thread's adapter active (the sleep memory's
        recollection); it goes into the prompt's state and into the step's update. Default: none."""
        return {}

    def context(self, state: dict, ctx: MemoryContext) -> str | None:
        """Text added to the system prompt before a model call (a wake note, a summary, notes)."""
        return state.get("memory_note") or None

    def evict(self, body: list[BaseMessage], ctx: MemoryContext) -> list[BaseMessage]:
        """The turns that leave the window on overflow (the one rule: :func:`~sleep_agent.turns.choose_eviction`)."""
        return choose_eviction(body, ctx.settings.keep_last_turns)

    def on_overflow(self, state: dict, body: list[BaseMessage], ctx: MemoryContext) -> Overflow:
        """Handle a window over the high-water mark. ``body`` is the messages after the task."""
        raise NotImplementedError
