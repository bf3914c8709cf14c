"""Per-thread folders for tools: one base folder, one sub-folder per LangGraph thread.

A Studio server compiles each graph once and serves every thread with it, so a tool that keeps files
finds its thread's folder when it is called, from the run's config; two threads never share files.

    >>> thread_folder("/srv/workspaces", {"configurable": {"thread_id": "t1"}})
    PosixPath('/srv/workspaces/t1')
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.runnables import RunnableConfig

from sleep_agent.paths import validate_thread_id

__all__ = ["DEFAULT_THREAD", "thread_folder"]

# The folder of a call made outside a LangGraph run (a script calling tool.invoke without a config).
DEFAULT_THREAD = "default"


def thread_folder(base: str | Path, config: RunnableConfig | None) -> Path:
    """``base/<thread_id>``; the id is checked to be a plain folder name (no '..', no leading '.')."""
    thread = ((config or {}).get("configurable") or {}).get("thread_id") or DEFAULT_THREAD
    return Path(base) / validate_thread_id(str(thread))
