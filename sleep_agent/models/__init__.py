"""Local models: the offline registry, loading, the shared runtime and the LangChain chat model."""

from .chat_model import LocalChatModel
from .conversion import ensure_converted, verify_parts
from .loading import load_causal_lm
from .registry import (
    DEFAULT_MODEL,
    MODELS,
    ModelIntegrityError,
    ModelNotInstalledError,
    ModelSpec,
    UnknownModelError,
    get_spec,
)
from .runtime import AdapterLoadError, LocalRuntime
from .status import ModelStatus, model_status
from .tool_parsing import ParseResult, parse_tool_calls

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "AdapterLoadError",
    "LocalChatModel",
    "LocalRuntime",
    "ModelIntegrityError",
    "ModelNotInstalledError",
    "ModelSpec",
    "ModelStatus",
    "ParseResult",
    "UnknownModelError",
    "ensure_converted",
    "get_spec",
    "load_causal_lm",
    "model_status",
    "parse_tool_calls",
    "verify_parts",
]
