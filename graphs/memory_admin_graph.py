"""Studio entry point: see and edit what a thread remembers (``sleep-agent memory`` in Studio).

Run it with the id of a thread that slept (a ``sleep_agent`` or ``sleep_demo`` run) and an operation::

    {"thread": "<thread id>", "op": "list"}                       every fact, its sleep, source, recall
    {"thread": "<thread id>", "op": "list", "probe": true}        ...asked again now (loads the model)
    {"thread": "<thread id>", "op": "rollback", "version": 1}     make version 1 live
    {"thread": "<thread id>", "op": "forget", "text": "Ana Reyes"}                 the plan only
    {"thread": "<thread id>", "op": "forget", "text": "Ana Reyes", "confirm": true} rebuild without it

The answer is the state's ``result``. A bad request (unknown thread or version, a text that matches
nothing, a forget while that thread sleeps) fails the run with a message and changes nothing. In
Studio, the server keeps the agent threads' checkpoints itself, so a forget here cleans the adapter
versions, sleep data, vector memory and (with ``"purge": true``) trajectory files, but not the
server's checkpoint of that thread: start a new thread after forgetting.
"""

from __future__ import annotations

from typing import TypedDict

from langgraph.graph import START, StateGraph

from sleep_agent.adapters import Thread
from sleep_agent.memory_admin import forget, known_facts, plan_forget, probe, rollback
from sleep_agent_graphs.common import MODEL

OPS = ("list", "rollback", "forget")


class AdminState(TypedDict, total=False):
    thread: str        # the thread whose memory is read or changed
    op: str            # list, rollback or forget
    version: int       # rollback: the version to make live
    text: str          # forget: what to forget (whole words, case ignored)
    confirm: bool      # forget: without it only the plan is returned
    probe: bool        # list: ask each fact again now
    purge: bool        # forget: also redact the trajectory files
    result: dict


def admin(state: AdminState) -> dict:
    op, name = state.get("op"), state.get("thread")
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, not {op!r}")
    thread = Thread(name or "")
    if not thread.store.versions():
        raise ValueError(f"thread {name!r} has no adapter versions (no sleep was published)")
    if op == "list":
        facts = known_facts(thread)
        if state.get("probe"):
            probe(MODEL.rt, thread, facts)
        return {"result": {"live_version": thread.store.latest().version, "facts": [f.to_dict() for f in facts],
                           "events": thread.store.event_log()}}
    if op == "rollback":
        if state.get("version") is None:
            raise ValueError("rollback needs a version")
        return {"result": rollback(thread, int(state["version"]))}
    plan = plan_forget(thread, state.get("text") or "")
    if not state.get("confirm"):
        return {"result": {"plan": {"facts": [f.to_dict() for f in plan.facts], "examples": plan.examples,
                                    "versions": plan.versions}, "confirmed": False}}
    report = forget(MODEL.rt, thread, state["text"], purge=bool(state.get("purge")))
    return {"result": {**report.to_dict(), "confirmed": True}}


graph = StateGraph(AdminState).add_node("admin", admin).add_edge(START, "admin").compile()
