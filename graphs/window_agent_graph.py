"""Studio entry point: the same agent with the ``window`` baseline memory (drop the oldest turns)."""

from sleep_agent_graphs.common import make_graph, workspace_tools

graph = make_graph("window", workspace_tools())
