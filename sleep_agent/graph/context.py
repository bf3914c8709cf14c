"""Per-call context shared by the nodes: settings for this run, the thread, its folder, its adapter."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage

from ..adapters import AdapterStore
from ..memory import MemoryContext, get_strategy
from ..paths import thread_dir
from ..settings import AgentSettings

__all__ = ["AgentConfig", "run_settings", "thread_id_of", "split_task", "use_thread_adapter"]

log = logging.getLogger("sleep_agent")


@dataclass
class AgentConfig:
    """What ``build_agent`` fixes for every run of the graph."""

    llm: object                 # LocalChatModel
    tools: list
    system_prompt: str
    settings: AgentSettings     # defaults; a run's context overrides them
    data_dir: Path | None       # None: $SLEEP_AGENT_HOME
    strategies: dict = field(default_factory=dict)  # memory name -> strategy object (see strategy())

    def runtime(self):
        """The loaded model runtime. A method, not an attribute chain in the nodes: langgraph inspects
        a node's nonlocals at compile time, and touching ``llm.rt`` there would load the model."""
        return self.llm.rt

    def memory_context(self, settings: AgentSettings, config) -> MemoryContext:
        tid = thread_id_of(config)
        return MemoryContext(settings, tid, thread_dir(tid, self.data_dir), self.llm)

    def strategy(self, settings: AgentSettings):
        """The strategy object of the run's memory; one per graph, so a vector memory keeps its
        embedding model and chromadb clients across steps."""
        if settings.memory not in self.strategies:
            self.strategies[settings.memory] = get_strategy(settings.memory)
        return self.strategies[settings.memory]

    def store(self, thread_id: str) -> AdapterStore:
        return AdapterStore(thread_id, self.data_dir)


def run_settings(runtime, defaults: AgentSettings) -> AgentSettings:
    """The run's settings: the context passed to invoke/stream (dict or AgentSettings) or the defaults."""
    ctx = getattr(runtime, "context", None)
    if ctx is None:
        return defaults
    if isinstance(ctx, dict):
        return AgentSettings.from_any({**defaults.to_dict(), **ctx})
    return AgentSettings.from_any(ctx)


def thread_id_of(config) -> str:
    return str(((config or {}).get("configurable") or {}).get("thread_id") or "default")


def split_task(messages: list[BaseMessage]) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """``(pinned, body)``: the first human message (the task) is never evicted."""
    for i, m in enumerate(messages):
        if isinstance(m, HumanMessage):
            return messages[: i + 1], messages[i + 1:]
    return [], list(messages)


def use_thread_adapter(cfg: AgentConfig, thread_id: str, merged: bool | None = None) -> int | None:
    """Make the runtime decode with this thread's latest good adapter (or the base). Caller holds the lock.

    ``merged``: fold the adapter into the base weights (see models/fold.py); None keeps the
    runtime's current choice."""
    rt = cfg.runtime()
    merged = rt.merged if merged is None else merged
    store = cfg.store(thread_id)
    latest = store.latest()  # verifies sha256; rolls back past a corrupt version
    for event in store.events:
        log.warning("thread %s: %s", thread_id, event)
    if latest is None:
        if rt.adapter_path is not None:
            rt.deactivate_adapter()
        return None
    if rt.adapter_path != str(latest.path) or rt.merged != merged:
        rt.activate_adapter(latest.path, merged=merged)
    return latest.version
