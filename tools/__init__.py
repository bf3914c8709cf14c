"""Agent tools for long-running LangGraph agents: workspace files, a calculator, notes, and the
record archive the demo explores.

``default_tools(workspace)`` returns the standard set. All tools report refusals and failures
to the model as ``"Error: ..."`` strings rather than raising.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.tools import BaseTool

from ._errors import CalculatorError, WorkspaceError
from .calculator import calculator
from .notes import make_notes_tool
from .records import Person, RecordArchive
from .workspace import make_workspace_tools

NOTES_FILENAME = ".notes.jsonl"

__all__ = [
    "CalculatorError",
    "Person",
    "RecordArchive",
    "WorkspaceError",
    "calculator",
    "default_tools",
    "make_notes_tool",
    "make_workspace_tools",
]


def default_tools(workspace: str | Path, *, per_thread: bool = False, read_hidden: bool = False) -> list[BaseTool]:
    """Workspace file tools for ``workspace``, the calculator, and notes kept in
    ``<workspace>/.notes.jsonl`` (a hidden file: the file tools neither list nor write it).

    ``per_thread``: each LangGraph thread works in ``<workspace>/<thread_id>`` with its own notes.
    ``read_hidden``: the file tools may read hidden paths (never write them).
    """
    return [
        *make_workspace_tools(workspace, per_thread=per_thread, read_hidden=read_hidden),
        calculator,
        make_notes_tool(Path(workspace) / NOTES_FILENAME, per_thread=per_thread),
    ]
