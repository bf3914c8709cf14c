"""What the Studio graphs share: one lazily loaded model per server process, and the tools.

Settings come from the environment so a server can be pointed elsewhere without code changes:
``SLEEP_AGENT_MODEL`` (default qwen2.5-coder-0.5b), ``SLEEP_AGENT_WORKSPACE`` (the folder that holds
one workspace per thread, default ``$SLEEP_AGENT_HOME/workspaces``), ``SLEEP_AGENT_HOME`` (adapters
and trajectories). Per-run settings (memory, budget, passes...) are
the run's context in Studio.
"""

from __future__ import annotations

import os

from sleep_agent import DEFAULT_MODEL, LocalChatModel, build_agent
from sleep_agent.paths import workspaces_dir
from sleep_agent_tools import RecordArchive, default_tools

# The model loads on the first model call, inside langgraph's worker thread (not at import, and
# never on the server's event loop).
MODEL = LocalChatModel(model_name=os.environ.get("SLEEP_AGENT_MODEL", DEFAULT_MODEL))
ARCHIVE = RecordArchive(seed=int(os.environ.get("SLEEP_AGENT_ARCHIVE_SEED", "7")), size=10)


def workspace_tools():
    """The file tools, calculator and notes; each thread of the server gets its own folder."""
    return default_tools(os.environ.get("SLEEP_AGENT_WORKSPACE") or workspaces_dir(), per_thread=True)


def archive_tools():
    """The demo world alone: a short tool list keeps the prompt small enough to overflow and sleep."""
    return [ARCHIVE.tool()]


def make_graph(memory: str, tools):
    # No checkpointer: the LangGraph server supplies its own.
    return build_agent(MODEL, tools, memory=memory).compile()
