"""The project's closed vocabularies, in one place: memory names, sleep data parts, fact kinds.

Each is a ``Literal`` (for type checkers and LangGraph's context schema) with the tuple of its values
(for validation and ``--help`` choices). A typo in any of these strings is an error where it is made,
not a silently empty data part.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["MemoryName", "MEMORY_NAMES", "DataPart", "DATA_PARTS", "FactKind", "FACT_KINDS", "GRAPH_NOTE_KEY",
           "DONE_KEY"]

# The memories of the graph (sleep_agent.memory): one interface, five implementations.
MemoryName = Literal["sleep", "vector", "summary", "window", "full"]
MEMORY_NAMES: tuple[str, ...] = get_args(MemoryName)

# What one sleep trains on and checks (sleep_agent.consolidation): new facts in training phrasings
# (probe) and derived 2-hop facts (chain); earlier sleeps' examples (replay); replayed agent turns
# (behavior); anchors against drift (general) and hallucination (unknown); and the held-out phrasings
# validation asks (heldout), never trained on.
DataPart = Literal["probe", "chain", "context", "replay", "heldout", "behavior", "general", "unknown"]
DATA_PARTS: tuple[str, ...] = get_args(DataPart)

# Kinds of fact the sleep lifts from a trajectory; each has its own phrasings (consolidation.dataset).
FactKind = Literal["attribute", "call", "chain", "total", "about", "studied", "said"]
FACT_KINDS: tuple[str, ...] = get_args(FactKind)

# The key the graph sets in ``additional_kwargs`` of the messages it writes itself (feedback on an
# invalid tool call): instructions to the model, never facts for a sleep to learn.
GRAPH_NOTE_KEY = "sleep_agent_note"

# A tool whose artifact is a dict with this key set true says there is nothing left to call for
# (the demo's archive after its last record): the agent's next model call runs without tools.
DONE_KEY = "done"
