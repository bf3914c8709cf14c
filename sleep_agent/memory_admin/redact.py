"""Taking a forgotten text out of what a thread keeps besides its adapter.

- the vector memory's chromadb collection: every document that mentions it is deleted;
- the checkpoint: the consolidated-calls record (the wake note's list) and the recollection block
  lose it always; with ``purge`` every message of the window, the refused sleeps' turns and the
  memory note are redacted too, and the thread's older checkpoints (which hold the raw turns) are
  dropped, leaving one redacted checkpoint;
- with ``purge``, the write-ahead trajectory files are redacted in place.

Redacted text reads :data:`MARKER`. Matching is :func:`sleep_agent.scoring.mentions`: whole words,
case and spacing aside, the same test ``memory list`` and ``forget`` use to pick facts.
"""

from __future__ import annotations

import json
import re

from ..adapters import Thread
from ..io_utils import atomic_write_bytes
from ..scoring import mentions

__all__ = ["MARKER", "redact", "redact_checkpoint", "redact_trajectories", "redact_vector_memory"]

MARKER = "[forgotten]"


def redact(value, text: str):
    """``value`` (a string, or JSON-like lists and dicts of them) with every whole-word mention of
    ``text`` replaced by :data:`MARKER`."""
    if isinstance(value, str):
        words = r"\s+".join(re.escape(w) for w in text.split())
        return re.sub(r"(?<!\w)" + words + r"(?!\w)", MARKER, value, flags=re.IGNORECASE)
    if isinstance(value, list):
        return [redact(v, text) for v in value]
    if isinstance(value, tuple):
        return tuple(redact(v, text) for v in value)
    if isinstance(value, dict):
        return {k: redact(v, text) for k, v in value.items()}
    return value


def redact_vector_memory(thread: Thread, text: str) -> int:
    """Delete the thread's vector-memory documents that mention ``text``; returns how many."""
    if not thread.vector_dir.is_dir():
        return 0
    from ..memory.vector_store import ThreadVectorStore, embedder

    return ThreadVectorStore(thread.vector_dir, embedder()).remove_matching(lambda doc: not mentions(doc, text))


def redact_trajectories(thread: Thread, text: str) -> int:
    """Redact ``text`` in place in every trajectory file of the thread; returns the files changed."""
    changed = 0
    for path in sorted(thread.trajectory_dir.glob("*.jsonl")) if thread.trajectory_dir.is_dir() else []:
        raw = path.read_text(encoding="utf-8")
        if not mentions(raw, text):
            continue
        rows = [json.dumps(redact(json.loads(line), text), ensure_ascii=False) for line in raw.splitlines() if line]
        atomic_write_bytes(path, ("\n".join(rows) + "\n").encode())
        changed += 1
    return changed


def _redact_message(m, text: str):
    return m.model_copy(update={
        "content": redact(m.content, text),
        "additional_kwargs": redact(m.additional_kwargs, text),
        **({"tool_calls": redact(m.tool_calls, text)} if getattr(m, "tool_calls", None) else {}),
        **({"artifact": redact(m.artifact, text)} if getattr(m, "artifact", None) is not None else {})})


def redact_checkpoint(checkpointer, thread_id: str, text: str, *, purge: bool = False) -> bool:
    """Write a new latest checkpoint of ``thread_id`` without ``text`` (see the module docstring);
    returns False when the thread has no checkpoint."""
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    saved = checkpointer.get_tuple(config)
    if saved is None:
        return False
    from langgraph.checkpoint.base import empty_checkpoint

    values = dict(saved.checkpoint["channel_values"])
    changed = {"consolidated_calls": [c for c in values.get("consolidated_calls") or [] if not mentions(c, text)]}
    if values.get("recollection") and mentions(json.dumps(values["recollection"], default=str), text):
        changed["recollection"] = None  # rebuilt from the new adapter at the next step
    if purge:
        for key in ("messages", "unslept"):
            if values.get(key):
                changed[key] = [_redact_message(m, text) for m in values[key]]
        for key in ("memory_note", "last_result"):
            if isinstance(values.get(key), str):
                changed[key] = redact(values[key], text)
    versions = dict(saved.checkpoint["channel_versions"])
    for key in changed:
        versions[key] = checkpointer.get_next_version(versions.get(key), None)
    new = {**empty_checkpoint(), "channel_values": {**values, **changed}, "channel_versions": versions,
           "versions_seen": saved.checkpoint.get("versions_seen", {}),
           "updated_channels": list(changed)}
    metadata = {**(saved.metadata or {}), "source": "update", "step": (saved.metadata or {}).get("step", -1) + 1,
                "forget": True}
    if purge:  # the older checkpoints hold the raw turns: keep only the redacted one
        checkpointer.delete_thread(thread_id)
        parent_config = config
    else:
        parent_config = saved.config
    checkpointer.put(parent_config, new, metadata, {k: versions[k] for k in changed})
    return True
