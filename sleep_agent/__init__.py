"""sleep-agent: LangGraph agents on local models that sleep to remember.

When the context window fills, the agent consolidates its trajectory into LoRA adapter weights,
clears the window, and wakes with the adapter on (after "Language Models Need Sleep",
arXiv 2605.26099).

Example::

    >>> from sleep_agent import LocalChatModel
    >>> llm = LocalChatModel()          # qwen2.5-coder-0.5b, offline
    >>> llm.invoke("Say hi").content
"""

from .models import (
    DEFAULT_MODEL,
    MODELS,
    AdapterLoadError,
    LocalChatModel,
    LocalRuntime,
    ModelIntegrityError,
    ModelNotInstalledError,
    UnknownModelError,
    model_status,
    parse_tool_calls,
)
from .adapters import AdapterIntegrityError, AdapterStore, Thread
from .consolidation import QA_SYSTEM_PROMPT, consolidate
from .graph import AgentState, build_agent, read_trajectory, sqlite_checkpointer
from .memory import ContextOverflowError, MemoryContext, SleepMemory, get_strategy
from .names import MEMORY_NAMES
from .paths import InvalidThreadIdError, home
from .settings import AgentSettings, SettingsError, SleepConfig

__all__ = [
    "DEFAULT_MODEL",
    "MEMORY_NAMES",
    "MODELS",
    "QA_SYSTEM_PROMPT",
    "AdapterIntegrityError",
    "AdapterLoadError",
    "AdapterStore",
    "AgentSettings",
    "AgentState",
    "ContextOverflowError",
    "InvalidThreadIdError",
    "LocalChatModel",
    "LocalRuntime",
    "MemoryContext",
    "ModelIntegrityError",
    "ModelNotInstalledError",
    "SettingsError",
    "SleepConfig",
    "SleepMemory",
    "Thread",
    "UnknownModelError",
    "build_agent",
    "consolidate",
    "get_strategy",
    "home",
    "model_status",
    "parse_tool_calls",
    "read_trajectory",
    "sqlite_checkpointer",
]

__version__ = "0.1.0"
