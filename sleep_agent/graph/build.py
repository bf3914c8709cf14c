"""build_agent: the LangGraph StateGraph of the sleep agent (and of every baseline memory).

Example::

    >>> from sleep_agent import LocalChatModel, build_agent, sqlite_checkpointer
    >>> from sleep_agent_tools import default_tools
    >>> graph = build_agent(LocalChatModel(), default_tools("ws"), memory="sleep").compile(
    ...     checkpointer=sqlite_checkpointer())
    >>> graph.invoke({"messages": [("user", "...")]}, {"configurable": {"thread_id": "t1"}},
    ...              context={"context_budget": 1024}, durability="sync")

Crash safety: pass ``durability="sync"`` to ``invoke``/``stream`` (the CLI does). LangGraph's default,
``"async"``, saves a step while the next one already runs, so a process killed at that moment loses
the messages of the step that ran ahead; with ``"sync"`` a SIGKILL anywhere in a sleep loses nothing
(tests/test_crash_safety.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from langgraph.graph import START, StateGraph
from langgraph.prebuilt import ToolNode

from ..crashpoints import crash_point
from ..paths import home
from ..settings import AgentContext, AgentSettings
from .context import AgentConfig
from .nodes import make_agent_node, make_memory_node, make_router
from .prompts import DEFAULT_SYSTEM_PROMPT
from .recall_tool import make_recall_tool
from .sleep_node import make_sleep_node
from .state import AgentState

__all__ = ["build_agent", "sqlite_checkpointer"]


def build_agent(model, tools: Sequence, *, memory: str | None = None, settings: AgentSettings | dict | None = None,
                system_prompt: str = DEFAULT_SYSTEM_PROMPT, data_dir: str | Path | None = None,
                recall: bool | None = None) -> StateGraph:
    """Return the (uncompiled) agent graph with nodes ``agent``, ``tools``, ``memory`` and ``sleep``.

    Args:
        model: a :class:`LocalChatModel` (its runtime is shared with the sleep trainer).
        tools: LangChain tools the agent may call.
        memory: default memory strategy (``sleep``, ``window``, ``full``); a run's context may override.
        settings: default :class:`AgentSettings` (or a dict of them); validated now, so a bad value
            stops here with an error naming the field.
        system_prompt: the agent's instructions; also the prompt the sleep data is rendered with.
        data_dir: where threads keep adapters and trajectories (default ``$SLEEP_AGENT_HOME``).
        recall: add the ``recall`` tool (the agent asks its adapter a question in the form the sleep
            trained, see :mod:`.recall_tool`). Default: on when the default memory is ``sleep``.

    Compile it with a checkpointer for scripts (:func:`sqlite_checkpointer`); under ``langgraph dev``
    compile without one (the server supplies it).
    """
    s = AgentSettings.from_any(settings)
    if memory is not None:
        s = s.merged({"memory": memory})
    cfg = AgentConfig(model, list(tools), system_prompt, s, Path(data_dir) if data_dir else None)
    with_recall = s.memory == "sleep" if recall is None else recall
    if with_recall:
        cfg.tools.append(make_recall_tool(cfg))
    g = StateGraph(AgentState, context_schema=AgentContext)
    g.add_node("agent", make_agent_node(cfg))
    g.add_node("tools", ToolNode(cfg.tools, handle_tool_errors=True))
    g.add_node("memory", make_memory_node(cfg), destinations=("agent", "sleep"))
    g.add_node("sleep", make_sleep_node(cfg))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", make_router(cfg), ["tools", "agent", "__end__"])
    g.add_edge("tools", "memory")
    g.add_edge("sleep", "agent")
    return g


def sqlite_checkpointer(path: str | Path | None = None):
    """A SQLite checkpointer (default ``$SLEEP_AGENT_HOME/checkpoints.sqlite``) for scripts and the CLI."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    class _Saver(SqliteSaver):
        def put_writes(self, config, writes, task_id, task_path=""):
            super().put_writes(config, writes, task_id, task_path)
            if any(channel == "sleeps" for channel, _ in writes):
                # The sleep's cleared window is stored as pending writes, its step checkpoint not yet:
                # a resume must apply these writes, not lose them or redo the sleep.
                crash_point("checkpoint_sleep_writes")

    path = Path(path) if path else home() / "checkpoints.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return _Saver(sqlite3.connect(str(path), check_same_thread=False))
