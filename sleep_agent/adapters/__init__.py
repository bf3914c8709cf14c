"""Per-thread LoRA adapter versions: crash-safe publishing, sha256 verification and rollback."""

from .store import (
    FORBIDDEN_SUFFIXES,
    REQUIRED_FILES,
    AdapterIntegrityError,
    AdapterPublishError,
    AdapterStore,
    AdapterVersion,
)

__all__ = [
    "FORBIDDEN_SUFFIXES",
    "REQUIRED_FILES",
    "AdapterIntegrityError",
    "AdapterPublishError",
    "AdapterStore",
    "AdapterVersion",
]
