"""A thread's home: its id (validated once), its folders, its adapter store, its verified live version.

Everything a thread keeps lives under one folder::

    <root>/threads/<thread_id>/
        adapters/       versioned LoRA adapters (:class:`AdapterStore`), HEAD names the live one
        trajectory/     the write-ahead log of what each sleep consolidated
        vector/         the vector memory's chromadb collection

Verifying the live version hashes every adapter file, which is too slow for every agent step:
:meth:`Thread.latest` verifies once and then re-verifies only when ``HEAD`` changes (a publish, a
rollback, a repair) - the cached answer is only as old as the last ``HEAD`` write.

Example::

    >>> thread = Thread("my-task")                  # InvalidThreadIdError here, before any model loads
    >>> thread.latest()                             # None before the first sleep
    >>> Thread.from_config({"configurable": {"thread_id": "my-task"}}).dir
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..paths import thread_dir, validate_thread_id
from .store import HEAD, AdapterStore, AdapterVersion

__all__ = ["DEFAULT_THREAD", "Thread"]

DEFAULT_THREAD = "default"  # the thread of a run whose config names none

log = logging.getLogger("sleep_agent")


class Thread:
    def __init__(self, thread_id: str, root: str | Path | None = None):
        self.id = validate_thread_id(thread_id)
        self.root = Path(root) if root is not None else None
        self.dir = thread_dir(self.id, self.root)
        self.store = AdapterStore(self.id, self.root)
        self._head_seen: tuple | None = None     # HEAD's identity when `_latest` was verified
        self._latest: AdapterVersion | None = None
        self._events_logged = 0                  # store events already logged

    @staticmethod
    def id_of(config) -> str:
        """The thread id a LangGraph run config names (``configurable.thread_id``; ``default`` if none)."""
        return str(((config or {}).get("configurable") or {}).get("thread_id") or DEFAULT_THREAD)

    @classmethod
    def from_config(cls, config, root: str | Path | None = None) -> "Thread":
        """The thread a LangGraph run config names (see :meth:`id_of`)."""
        return cls(cls.id_of(config), root)

    def __repr__(self) -> str:
        return f"Thread({self.id!r}, dir={str(self.dir)!r})"

    @property
    def trajectory_dir(self) -> Path:
        return self.dir / "trajectory"

    @property
    def vector_dir(self) -> Path:
        return self.dir / "vector"

    def _head_identity(self) -> tuple | None:
        # HEAD is replaced by an atomic rename on every write, so (inode, mtime, size) changes with it.
        try:
            st = os.stat(self.store.path / HEAD)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def latest(self) -> AdapterVersion | None:
        """The live adapter version, sha256-verified (rolled back past a damaged one, see
        :meth:`AdapterStore.latest`); re-verified only when ``HEAD`` changed since the last call."""
        seen = self._head_identity()
        if seen is None or seen != self._head_seen:
            self._latest = self.store.latest()
            self._head_seen = self._head_identity()  # after: latest() may have rewritten HEAD
        return self._latest

    def activate(self, runtime, merged: bool | None = None) -> AdapterVersion | None:
        """Make ``runtime`` decode with this thread's live adapter, or the base model when there is
        none; returns the live version. ``merged``: fold the adapter into the base weights (see
        models/fold.py); None keeps the runtime's current choice. The caller holds ``runtime.lock``."""
        merged = runtime.merged if merged is None else merged
        live = self.latest()
        for event in self.store.events[self._events_logged:]:  # rollbacks past a damaged version
            log.warning("thread %s: %s", self.id, event)
        self._events_logged = len(self.store.events)
        if live is None:
            if runtime.adapter_path is not None:
                runtime.deactivate_adapter()
            return None
        if runtime.adapter_path != str(live.path) or runtime.merged != merged:
            runtime.activate_adapter(live.path, merged=merged)
        return live

    def forget_cache(self) -> None:
        """Verify again on the next :meth:`latest` (after changing adapter files by hand, say)."""
        self._head_seen = None
