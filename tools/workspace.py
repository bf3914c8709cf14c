"""File tools confined to one workspace directory: list, read, write (atomic) and search.

Every path the model passes is resolved against the workspace root with
``os.path.realpath`` (so symlinks anywhere in the path are followed) and must stay inside
the root (checked with ``os.path.commonpath``). ``~`` and ``%2e`` are not expanded; they are
ordinary characters in a file name. Refusals raise :class:`WorkspaceError`, which the tools
return to the model as ``"Error: ..."`` text.

Hidden paths (any part of the path, as given or as resolved, starting with ``.``: ``.git``,
``.venv``, the agent's ``.notes.jsonl``) are never written: a small model, or text injected through
a file it read, could otherwise plant a ``core.fsmonitor`` command in ``.git/config`` that runs on
the user's next ``git`` call. Judging the resolved path too means a ``docs -> .git`` symlink inside
the workspace opens no way in. They are not read or listed either unless the workspace is made with
``read_hidden=True`` (``sleep-agent run --read-hidden``); ``list_files`` and ``search_files`` skip
them.

``per_thread=True`` gives each LangGraph thread its own folder ``<root>/<thread_id>`` (a Studio
server serves every thread with one compiled graph).
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from ._errors import WorkspaceError, structured_tool
from .threads import thread_folder

MAX_PATH_CHARS = 1024
MAX_READ_BYTES = 10_000_000  # refuse to load bigger files at all
MAX_READ_CHARS = 20_000  # upper bound for read_file's max_chars
MAX_WRITE_CHARS = 2_000_000
MAX_LIST_ENTRIES = 200
MAX_SEARCH_HITS = 50
MAX_SEARCH_FILE_BYTES = 2_000_000
MAX_SEARCH_FILES = 5_000
MAX_LINE_CHARS = 200


def _show(path: str) -> str:
    """Quote a user-supplied path for an error message (escaped, shortened)."""
    return repr(path if len(path) <= 80 else path[:77] + "...")


def _oserror_to_workspace_error(func: Callable[..., str]) -> Callable[..., str]:
    """Report OS failures (missing file, permissions, ...) as WorkspaceError text."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        try:
            return func(*args, **kwargs)
        except OSError as e:
            path = kwargs.get("path", args[0] if args else "")
            reason = e.strerror or type(e).__name__
            raise WorkspaceError(f"{func.__name__} {_show(str(path))} failed: {reason}") from None

    return wrapper


def _hidden_part(relative: str) -> str | None:
    """The first part of a root-relative path that starts with '.', if any."""
    return next((p for p in Path(relative).parts if p.startswith(".")), None)


class _Workspace:
    """Path resolution and file operations for one root directory."""

    def __init__(self, root: str | Path, read_hidden: bool = False) -> None:
        os.makedirs(root, exist_ok=True)
        self.root = os.path.realpath(root)
        self.roots = {self.root, os.path.abspath(root)}  # the root may be given via a symlink
        self.read_hidden = read_hidden

    def resolve(self, path: str, *, write: bool = False) -> str:
        """Return the real absolute path for ``path``, or raise if it is outside the root or hidden
        (hidden: never for a write, for a read unless ``read_hidden``)."""
        if not isinstance(path, str):
            raise WorkspaceError(f"path must be a string, got {type(path).__name__}")
        if "\x00" in path:
            raise WorkspaceError(f"path {_show(path)} contains a NUL byte")
        if len(path) > MAX_PATH_CHARS:
            raise WorkspaceError(f"path {_show(path)} is too long (over {MAX_PATH_CHARS} chars)")
        joined = os.path.join(self.root, path or ".")
        # Lexical check first (cheap, catches '..' even through missing dirs), then the real
        # path with every symlink resolved, which is what the OS will actually open.
        lexical, real = os.path.normpath(joined), os.path.realpath(joined)
        under = [r for r in self.roots if os.path.commonpath([r, lexical]) == r]
        if not under or os.path.commonpath([self.root, real]) != self.root:
            raise WorkspaceError(f"path {_show(path)} is outside the workspace")
        hidden = _hidden_part(os.path.relpath(lexical, under[0])) or _hidden_part(self.rel(real))
        if hidden and write:
            raise WorkspaceError(f"path {_show(path)} is refused: {hidden!r} is hidden (starts with '.'), and "
                                 "hidden files and folders (.git, .venv, notes) are never written")
        if hidden and not self.read_hidden:
            raise WorkspaceError(f"path {_show(path)} is refused: {hidden!r} is hidden (starts with '.'); "
                                 "hidden files and folders are read only when the workspace allows it "
                                 "(sleep-agent run --read-hidden)")
        return real

    def rel(self, real: str) -> str:
        return os.path.relpath(real, self.root)

    def inside(self, real: str) -> bool:
        return os.path.commonpath([self.root, os.path.realpath(real)]) == self.root


def _read_regular_file(real: str, shown: str, limit: int) -> bytes:
    """Read a regular file without following a final symlink or blocking on a FIFO."""
    if os.path.isdir(real):
        raise WorkspaceError(f"{shown} is a directory; use list_files")
    fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise WorkspaceError(f"{shown} is not a regular file")
        if st.st_size > limit:
            raise WorkspaceError(f"{shown} is too large ({st.st_size} bytes, limit {limit})")
        return f.read(limit + 1)


class _ListArgs(BaseModel):
    path: str = Field(".", description="Directory relative to the workspace root.")


class _ReadArgs(BaseModel):
    path: str = Field(description="File path relative to the workspace root.")
    offset: int = Field(0, ge=0, description="Character offset to start reading from.")
    max_chars: int = Field(
        4000, ge=1, le=MAX_READ_CHARS, description="Maximum number of characters to return."
    )


class _WriteArgs(BaseModel):
    path: str = Field(description="File path relative to the workspace root.")
    content: str = Field(description="The complete new file content (UTF-8 text).")


class _SearchArgs(BaseModel):
    pattern: str = Field(description="Text to look for (plain substring, case-insensitive).")
    path: str = Field(".", description="File or directory to search, relative to the root.")


def make_workspace_tools(root: str | Path, *, per_thread: bool = False,
                         read_hidden: bool = False) -> list[BaseTool]:
    """Return the tools list_files, read_file, write_file and search_files for ``root``.

    ``root`` is created if missing. All paths the tools accept are relative to it and may not
    leave it (``..``, absolute paths and symlinks that point outside are refused), nor write a
    hidden path; see the module docstring for ``per_thread`` and ``read_hidden``.
    """
    spaces: dict[Path, _Workspace] = {}

    def workspace(config: RunnableConfig | None) -> _Workspace:
        folder = thread_folder(root, config) if per_thread else Path(root)
        if folder not in spaces:
            spaces[folder] = _Workspace(folder, read_hidden)
        return spaces[folder]

    if not per_thread:
        workspace(None)  # the root exists from the start, as the docstring promises

    @_oserror_to_workspace_error
    def list_files(path: str = ".", config: RunnableConfig = None) -> str:
        ws = workspace(config)
        real = ws.resolve(path)
        if not os.path.isdir(real):
            raise WorkspaceError(f"{_show(path)} is not a directory")
        rows, hidden = [], 0
        with os.scandir(real) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                hidden += 1
            elif entry.is_symlink():
                rows.append(f"{entry.name}@")
            elif entry.is_dir():
                rows.append(f"{entry.name}/")
            else:
                rows.append(f"{entry.name} ({entry.stat().st_size} bytes)")
        shown = rows[:MAX_LIST_ENTRIES]
        header = f"{ws.rel(real)}/ ({len(rows)} entries"
        header += f", {hidden} hidden not shown)" if hidden else ")"
        if len(rows) > MAX_LIST_ENTRIES:
            shown.append(f"[... {len(rows) - MAX_LIST_ENTRIES} more entries not shown]")
        return "\n".join([header, *shown])

    @_oserror_to_workspace_error
    def read_file(path: str, offset: int = 0, max_chars: int = 4000, config: RunnableConfig = None) -> str:
        ws = workspace(config)
        real = ws.resolve(path)
        data = _read_regular_file(real, _show(path), MAX_READ_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkspaceError(f"{_show(path)} is not UTF-8 text (binary file?)") from None
        total = len(text)
        if total == 0:
            return "[empty file]"
        if offset >= total:
            msg = f"offset {offset} is past the end of {_show(path)} ({total} chars)"
            raise WorkspaceError(msg)
        end = min(offset + max_chars, total)
        out = text[offset:end]
        if end < total:
            out += f"\n[... truncated: showing chars {offset}-{end} of {total}; "
            out += f"call read_file with offset={end} for more]"
        elif offset:
            out += f"\n[end of file: showed chars {offset}-{end} of {total}]"
        return out

    @_oserror_to_workspace_error
    def write_file(path: str, content: str, config: RunnableConfig = None) -> str:
        ws = workspace(config)
        real = ws.resolve(path, write=True)
        if real == ws.root or os.path.isdir(real):
            raise WorkspaceError(f"{_show(path)} is a directory")
        if len(content) > MAX_WRITE_CHARS:
            msg = f"content too long ({len(content)} chars, limit {MAX_WRITE_CHARS})"
            raise WorkspaceError(msg)
        parent = os.path.dirname(real)
        os.makedirs(parent, exist_ok=True)
        if not ws.inside(parent):  # re-check after creating directories
            raise WorkspaceError(f"path {_show(path)} is outside the workspace")
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, real)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return f"Wrote {len(content)} chars to {ws.rel(real)}"

    @_oserror_to_workspace_error
    def search_files(pattern: str, path: str = ".", config: RunnableConfig = None) -> str:
        if not pattern:
            raise WorkspaceError("pattern must not be empty")
        ws = workspace(config)
        real = ws.resolve(path)
        needle = pattern.casefold()
        if os.path.isfile(real):
            files = [real]
        elif os.path.isdir(real):
            files = _walk_files(real)
        else:
            raise WorkspaceError(f"{_show(path)} does not exist")
        hits: list[str] = []
        for i, file in enumerate(files):
            if i >= MAX_SEARCH_FILES or len(hits) >= MAX_SEARCH_HITS:
                break
            try:
                text = _read_regular_file(file, "", MAX_SEARCH_FILE_BYTES).decode("utf-8")
            except (OSError, UnicodeDecodeError, WorkspaceError):
                continue  # unreadable, binary, too large or not a regular file
            for lineno, line in enumerate(text.splitlines(), 1):
                if needle in line.casefold():
                    hits.append(f"{ws.rel(file)}:{lineno}: {line.strip()[:MAX_LINE_CHARS]}")
                    if len(hits) >= MAX_SEARCH_HITS:
                        break
        if not hits:
            return f"No matches for {pattern!r} under {ws.rel(real)}"
        if len(hits) >= MAX_SEARCH_HITS:
            hits.append(f"[... stopped after {MAX_SEARCH_HITS} matches; narrow pattern or path]")
        return "\n".join(hits)

    def _walk_files(top: str) -> list[str]:
        """Non-hidden regular files under ``top``; symlinks are never followed."""
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if not name.startswith(".") and not os.path.islink(full):
                    out.append(full)
            if len(out) >= MAX_SEARCH_FILES:
                break
        return out

    return [
        structured_tool(
            list_files,
            "list_files",
            "List the entries of a workspace directory (default: the workspace root). "
            "Directories end with '/', symlinks with '@', files show their size. "
            "Hidden entries (starting with '.') are omitted. Paths are relative to the workspace.",
            _ListArgs,
        ),
        structured_tool(
            read_file,
            "read_file",
            "Read a UTF-8 text file from the workspace. Returns at most max_chars characters "
            "starting at offset; if the file is longer, the output ends with a "
            "'[... truncated ...]' marker telling you which offset to use next.",
            _ReadArgs,
        ),
        structured_tool(
            write_file,
            "write_file",
            "Create or overwrite a text file in the workspace with the given content "
            "(the whole file is replaced atomically; missing parent directories are created).",
            _WriteArgs,
        ),
        structured_tool(
            search_files,
            "search_files",
            "Search text files under a workspace path for a plain substring (case-insensitive, "
            f"not a regex). Returns 'path:line_number: line' rows, at most {MAX_SEARCH_HITS}. "
            "Hidden files and directories are skipped.",
            _SearchArgs,
        ),
    ]
