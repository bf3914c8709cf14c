"""A thread's event log: every rollback and forget, one JSON object a line in ``adapters/events.jsonl``.

Kept apart from the manifests because these change which version is live without publishing one; a
user asking "why is v0002 live when v0003 exists?" finds the answer here (``sleep-agent memory list``).

Example::

    >>> append_event(store.path, "rollback", {"from": 3, "to": 2})
    >>> read_events(store.path)[-1]["event"]
    'rollback'
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["EVENTS_FILE", "append_event", "read_events"]

EVENTS_FILE = "events.jsonl"


def append_event(folder: Path, kind: str, fields: dict) -> dict:
    """Append ``{"time", "event": kind, **fields}`` durably (fsynced) and return it."""
    row = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "event": kind, **fields}
    with open(Path(folder) / EVENTS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return row


def read_events(folder: Path) -> list[dict]:
    """Every event recorded in ``folder``, oldest first (none when the log does not exist)."""
    path = Path(folder) / EVENTS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
