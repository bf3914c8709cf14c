"""The agent graph: state, nodes (agent, tools, memory, sleep), and the factory that wires them."""

from .build import build_agent, sqlite_checkpointer
from .state import AgentState
from .trajectory import read_trajectory

__all__ = ["AgentState", "build_agent", "read_trajectory", "sqlite_checkpointer"]
