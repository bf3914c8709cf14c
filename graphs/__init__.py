"""Graph entry points for LangGraph Studio / ``langgraph dev`` (see langgraph.json at the repo root)."""
