"""What every node of one graph shares: the model, the tools, the settings, the threads, the memories."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool

from ..adapters import Thread
from ..memory import MemoryContext, MemoryStrategy, get_strategy
from ..settings import AgentSettings

__all__ = ["AgentConfig", "run_settings"]


@dataclass
class AgentConfig:
    """What ``build_agent`` fixes for every run of the graph."""

    llm: object                 # LocalChatModel
    tools: list
    system_prompt: str
    settings: AgentSettings     # defaults; a run's context overrides them
    data_dir: Path | None       # None: $SLEEP_AGENT_HOME
    strategies: dict[str, MemoryStrategy] = field(default_factory=dict)  # see strategy()
    threads: dict[str, Thread] = field(default_factory=dict)             # see thread()
    _schemas: list[dict] | None = field(default=None, init=False, repr=False)  # see tool_schemas()

    def runtime(self):
        """The loaded model runtime. A method, not an attribute chain in the nodes: langgraph inspects
        a node's nonlocals at compile time, and touching ``llm.rt`` there would load the model."""
        return self.llm.rt

    def tool_schemas(self) -> list[dict]:
        """The tools in OpenAI format, as the chat template renders them (and the sleep replays them)."""
        if self._schemas is None:
            self._schemas = [convert_to_openai_tool(t) for t in self.tools]
        return self._schemas

    def thread(self, config) -> Thread:
        """The run's thread, one object per id for the graph's life (it caches the verified HEAD)."""
        tid = Thread.id_of(config)
        if tid not in self.threads:  # validated here, once per id
            self.threads[tid] = Thread(tid, self.data_dir)
        return self.threads[tid]

    def strategy(self, settings: AgentSettings) -> MemoryStrategy:
        """The run's memory; one object per graph, so a vector memory keeps its embedding model and
        chromadb clients across steps."""
        if settings.memory not in self.strategies:
            self.strategies[settings.memory] = get_strategy(settings.memory)
        return self.strategies[settings.memory]

    def memory_context(self, settings: AgentSettings, config) -> MemoryContext:
        return MemoryContext(settings, self.thread(config), self.llm, self.system_prompt, self.tool_schemas())


def run_settings(runtime, defaults: AgentSettings) -> AgentSettings:
    """The run's settings: the context passed to invoke/stream (dict or AgentSettings) over the defaults."""
    ctx = getattr(runtime, "context", None)
    if ctx is None:
        return defaults
    if isinstance(ctx, AgentSettings):
        return ctx.validate()
    return defaults.merged(ctx)
