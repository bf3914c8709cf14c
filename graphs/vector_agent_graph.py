"""Studio entry point: the same agent with the ``vector`` baseline memory (chromadb, top-k retrieval)."""

from sleep_agent_graphs.common import make_graph, workspace_tools

graph = make_graph("vector", workspace_tools())
