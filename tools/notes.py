"""A persistent scratchpad tool: the agent adds, lists and searches short notes.

Notes are stored one JSON object per line (``{"ts": ..., "text": ...}``) and each append is
flushed and fsynced, so notes survive crashes and context-window resets.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Literal

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from ._errors import NotesError, structured_tool
from .threads import thread_folder

MAX_NOTE_CHARS = 4000
MAX_LISTED = 100


class _NotesArgs(BaseModel):
    action: Literal["add", "list", "search"] = Field(
        description="'add' stores text as a new note, 'list' shows all notes, "
        "'search' shows notes containing text."
    )
    text: str = Field("", description="Note text for 'add'; search term for 'search'.")


def _load(path: Path) -> list[str]:
    if not path.exists():
        return []
    notes = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            notes.append(str(json.loads(line)["text"]))
        except (ValueError, KeyError, TypeError):
            continue  # skip a torn or foreign line rather than failing every call
    return notes


def _numbered(items: list[tuple[int, str]]) -> str:
    rows = [f"{i}. {text}" for i, text in items[-MAX_LISTED:]]
    if len(items) > MAX_LISTED:
        rows.insert(0, f"[{len(items) - MAX_LISTED} earlier notes not shown]")
    return "\n".join(rows)


def make_notes_tool(path: str | Path, *, per_thread: bool = False) -> BaseTool:
    """Return a ``notes`` tool that keeps its notes in the JSON-lines file at ``path``.

    ``per_thread``: each LangGraph thread keeps its own file, ``<path's folder>/<thread_id>/<path's
    name>`` (what a server that serves many threads needs).
    """
    path = Path(path)

    def notes(action: str, text: str = "", config: RunnableConfig = None) -> str:
        file = thread_folder(path.parent, config) / path.name if per_thread else path
        try:
            return _run(file, action, text.strip())
        except OSError as e:
            raise NotesError(f"notes file could not be accessed: {e.strerror or e}") from None

    def _run(file: Path, action: str, text: str) -> str:
        if action == "add":
            if not text:
                raise NotesError("'add' needs non-empty text")
            if len(text) > MAX_NOTE_CHARS:
                raise NotesError(f"note too long ({len(text)} chars, limit {MAX_NOTE_CHARS})")
            file.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps({"ts": time.time(), "text": text}, ensure_ascii=False)
            with open(file, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())
            return f"Saved note #{len(_load(file))}."
        all_notes = list(enumerate(_load(file), 1))
        if action == "list":
            return _numbered(all_notes) if all_notes else "No notes yet."
        if action == "search":
            if not text:
                raise NotesError("'search' needs non-empty text to look for")
            needle = text.casefold()
            found = [(i, t) for i, t in all_notes if needle in t.casefold()]
            return _numbered(found) if found else f"No notes contain {text!r}."
        raise NotesError(f"unknown action {action!r}; use 'add', 'list' or 'search'")

    return structured_tool(
        notes,
        "notes",
        "Your persistent notebook, kept across context resets. action='add' with text saves a "
        "note; action='list' shows all notes numbered oldest first; action='search' with text "
        "shows notes containing that text (case-insensitive).",
        _NotesArgs,
    )
