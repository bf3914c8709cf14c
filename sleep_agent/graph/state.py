"""The agent's graph state.

``messages`` is the window: the task (the first human message, never evicted) and the turns since
the last sleep or cut. Everything else is bookkeeping the CLI, Studio and the eval harness read.
"""

from __future__ import annotations

from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

__all__ = ["AgentState"]


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    memory_note: str            # strategy text shown in the system prompt (the wake note for sleep)
    memory_summary: dict        # summary memory: {"summary", "ids", "last_id"} (LangMem's running summary)
    consolidated_calls: list[str]  # tool calls already consolidated, listed in the wake note
    sleeps: list[dict]          # one report per sleep: version, seconds, facts, loss, validation
    unslept: list[AnyMessage]   # turns of refused sleeps, not yet in any adapter: the next sleep takes them too
    adapter_version: int | None  # the thread's active adapter version
    sleep_evict: list[str]      # ids of the turns the memory step chose for the next sleep (then cleared)
    steps: int                  # model calls so far
    prompt_tokens: int          # size of the last rendered prompt
    tokens_total: int           # prompt + generated tokens over all model calls
    evicted_messages: int       # messages that have left the window (offset of the trajectory span)
    parse_retries: int          # consecutive replies with an invalid tool call
    last_result: str            # the latest tool result, and how many times in a row it repeated:
    repeats: int                # a model looping on a call that no longer changes anything
    recollection: dict | None   # what the adapter said about the task's consolidated names, in the prompt
    tools_done: bool            # a tool result said the work is done (artifact {"done": true}): answer now
