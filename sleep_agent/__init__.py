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
from .paths import InvalidThreadIdError, home

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "AdapterLoadError",
    "InvalidThreadIdError",
    "LocalChatModel",
    "LocalRuntime",
    "ModelIntegrityError",
    "ModelNotInstalledError",
    "UnknownModelError",
    "home",
    "model_status",
    "parse_tool_calls",
]

__version__ = "0.1.0"
