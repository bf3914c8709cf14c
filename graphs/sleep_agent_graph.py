"""Studio entry point: the sleep agent with the workspace tools (files, calculator, notes)."""

from sleep_agent_graphs.common import make_graph, workspace_tools

graph = make_graph("sleep", workspace_tools())
