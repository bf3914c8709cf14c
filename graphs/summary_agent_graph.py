"""Studio entry point: the same agent with the ``summary`` baseline memory (running summary via LangMem)."""

from sleep_agent_graphs.common import make_graph, workspace_tools

graph = make_graph("summary", workspace_tools())
