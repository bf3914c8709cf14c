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
from .adapters import AdapterIntegrityError, AdapterStore
from .consolidation import SleepTrainConfig, consolidate
from .graph import AgentState, build_agent, read_trajectory, sqlite_checkpointer
from .memory import ContextOverflowError, get_strategy
from .paths import InvalidThreadIdError, home
from .settings import AgentSettings, SettingsError

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "AdapterIntegrityError",
    "AdapterLoadError",
    "AdapterStore",
    "AgentSettings",
    "AgentState",
    "ContextOverflowError",
    "InvalidThreadIdError",
    "LocalChatModel",
    "LocalRuntime",
    "ModelIntegrityError",
    "ModelNotInstalledError",
    "SettingsError",
    "SleepTrainConfig",
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
