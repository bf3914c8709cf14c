"""Per-thread LoRA adapter versions (crash-safe publishing, sha256 verification, rollback) and the Thread."""

from .store import (
    FORBIDDEN_SUFFIXES,
    REQUIRED_FILES,
    AdapterConflictError,
    AdapterIntegrityError,
    AdapterPublishError,
    AdapterStore,
    AdapterVersion,
    SleepInProgressError,
)
from .thread import DEFAULT_THREAD, Thread

__all__ = [
    "DEFAULT_THREAD",
    "FORBIDDEN_SUFFIXES",
    "REQUIRED_FILES",
    "AdapterConflictError",
    "AdapterIntegrityError",
    "AdapterPublishError",
    "AdapterStore",
    "AdapterVersion",
    "SleepInProgressError",
    "Thread",
]
