"""Per-thread LoRA adapter versions (crash-safe publishing, sha256 verification, rollback) and the Thread."""

from .store import (
    FORBIDDEN_SUFFIXES,
    REQUIRED_FILES,
    AdapterIntegrityError,
    AdapterPublishError,
    AdapterStore,
    AdapterVersion,
)
from .thread import DEFAULT_THREAD, Thread

__all__ = [
    "DEFAULT_THREAD",
    "FORBIDDEN_SUFFIXES",
    "REQUIRED_FILES",
    "AdapterIntegrityError",
    "AdapterPublishError",
    "AdapterStore",
    "AdapterVersion",
    "Thread",
]
