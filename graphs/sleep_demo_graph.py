"""Studio entry point: the demo world (read the record archive) with sleep memory.

Try it with the task of ``sleep-agent demo`` and the run context
``{"context_budget": 680, "keep_last_turns": 1}`` (the demo's): the window overflows every few records, the
agent sleeps (watch the custom "sleep" events), and the state's ``recollection`` shows what its adapter
reminded it of about record 1's person.
"""

from sleep_agent_graphs.common import archive_tools, make_graph

graph = make_graph("sleep", archive_tools())
