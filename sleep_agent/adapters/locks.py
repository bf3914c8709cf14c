"""The two per-thread locks: one around a publish (short), one around a whole sleep (long).

POSIX advisory locks (``fcntl.flock``) on files in the thread's adapter folder, so two processes (an
agent and ``sleep-agent memory forget``, say) never write one thread's adapters at once. On a system
without ``fcntl`` (Windows) both are no-ops: one process per thread is then the user's job.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["SleepInProgressError", "publish_lock", "sleep_lock"]


class SleepInProgressError(RuntimeError):
    """Another process is sleeping (or rebuilding) this thread's adapter right now."""


@contextlib.contextmanager
def _flock(path: Path, wait: bool, busy: str = "") -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise SleepInProgressError(busy) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def publish_lock(folder: Path, create: bool = True) -> Iterator[None]:
    """Held while a version is written and ``HEAD`` moves; ``create=False`` (readers) does nothing
    when the folder does not exist yet."""
    if fcntl is None or (not create and not folder.is_dir()):
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with _flock(folder / ".lock", wait=True):
        yield


@contextlib.contextmanager
def sleep_lock(folder: Path, thread_id: str, wait: bool = True) -> Iterator[None]:
    """Held for a whole sleep; with ``wait=False`` a second holder gets :class:`SleepInProgressError`."""
    if fcntl is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with _flock(folder / ".sleep.lock", wait,
                f"a sleep is running for thread {thread_id!r}; try again when it has ended"):
        yield
