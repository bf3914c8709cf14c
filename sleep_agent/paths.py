"""Where sleep-agent keeps its files, and the one check that keeps a thread inside them.

Everything lives under ``$SLEEP_AGENT_HOME`` (default: the user's cache dir, e.g.
``~/.cache/sleep-agent``)::

    models/<name>/            converted bf16 weights of the registry models
    threads/<thread_id>/      per-thread adapters, trajectories, vector store
    workspaces/<thread_id>/   the file tools' folder of each thread (sleep-agent run, Studio)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

__all__ = ["home", "models_dir", "thread_dir", "workspaces_dir", "validate_thread_id", "InvalidThreadIdError"]

# Thread ids become folder names: letters, digits, '-', '_', '.', but no leading '.', so neither
# '..' nor hidden folders nor absolute paths can ever be produced.
_THREAD_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")


class InvalidThreadIdError(ValueError):
    """A thread id that could name a folder outside the data folder (or is not a plain name)."""


def home() -> Path:
    """The data folder: ``$SLEEP_AGENT_HOME`` or the platform's user cache dir."""
    env = os.environ.get("SLEEP_AGENT_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("sleep-agent"))


def models_dir() -> Path:
    return home() / "models"


def workspaces_dir() -> Path:
    """Where each thread's workspace folder is made when the user names none."""
    return home() / "workspaces"


def validate_thread_id(thread_id: str) -> str:
    """Return ``thread_id`` if it is a safe folder name, else raise :class:`InvalidThreadIdError`."""
    if not isinstance(thread_id, str) or not _THREAD_ID.match(thread_id):
        raise InvalidThreadIdError(
            f"invalid thread id {thread_id!r}: use 1-128 letters, digits, '-', '_' or '.', "
            "not starting with '.' (ids name folders, so paths like '../x' are refused)"
        )
    return thread_id


def thread_dir(thread_id: str, root: Path | None = None) -> Path:
    """The folder of one thread: ``<root or home()>/threads/<thread_id>``."""
    return (root or home()) / "threads" / validate_thread_id(thread_id)
