"""Studio entry point: the demo world (read the record archive) with sleep memory.

Try it with the task of ``sleep-agent demo`` and the run context
``{"context_budget": 600, "keep_last_turns": 1}``: the window overflows every few records, the
agent sleeps (watch the custom "sleep" events), and answers about record 1 from its adapter.
"""

from sleep_agent_graphs.common import archive_tools, make_graph

graph = make_graph("sleep", archive_tools())
