"""``sleep`` memory: the window is consolidated into the thread's LoRA adapter, then cleared.

The memory owns the whole sleep except its graph plumbing:

- :meth:`SleepMemory.on_overflow` picks the turns to consolidate (the shared eviction rule, evicting
  at least ``min_sleep_share`` of the budget, since a sleep costs about the same whatever it learns,
  and keeping fewer of the last turns when the woken prompt would otherwise have no room for
  :data:`WAKE_ROOM_TURNS` more) and answers :class:`~.base.Sleep`;
- :meth:`SleepMemory.sleep` consolidates them (:func:`sleep_agent.consolidation.consolidate`: sleep
  data, LoRA training, validation, atomic publish) and returns the state update that clears them and
  leaves the wake note. The graph's sleep node writes the turns ahead to disk first and streams the
  progress events; the scripted evals call the same method;
- :meth:`SleepMemory.recall` asks the adapter questions in the form the sleep trained, gated to the
  entities its sleeps consolidated (the ``recall`` tool and the evals use it).

Example::

    >>> memory = SleepMemory()
    >>> outcome = memory.on_overflow(state, body, ctx)            # Sleep(evicted=[...])
    >>> update = memory.sleep(state, outcome.evicted, ctx)        # {"messages": [RemoveMessage...], ...}
    >>> memory.recall(["In which city does Samor Fenkarin live?"], ctx)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.messages import AIMessage, BaseMessage, RemoveMessage, SystemMessage

from ..call_text import call_signature
from ..consolidation import ANSWER_TOKENS, QA_SYSTEM_PROMPT, EntityGate, Reply, answer_questions, consolidate
from ..crashpoints import crash_point
from ..models.messages import content_text
from ..turns import choose_eviction, group_turns, split_task
from .base import MemoryContext, MemoryStrategy, Overflow, Sleep, Update
from .recollection import asked_keys, block, named_keys, recollect
from .wake_note import wake_note

__all__ = ["RECALL_TOOL", "SleepMemory", "WAKE_ROOM_TURNS"]

RECALL_TOOL = "recall"  # the tool that asks the adapter (sleep_agent.graph.recall_tool)
RECENT_MESSAGES = 4     # the latest messages whose names the recollection looks for (besides the task)
WAKE_ROOM_TURNS = 2     # turns the prompt must have room for after a wake (else the next step sleeps again)


def _calls_of(state: dict, evicted: Sequence[BaseMessage]) -> list[str]:
    """Every consolidated call's signature once ``evicted`` is consolidated (for the wake note)."""
    return list(state.get("consolidated_calls") or []) + [
        call_signature(c["name"], c.get("args")) for m in evicted if isinstance(m, AIMessage) for c in m.tool_calls]


class SleepMemory(MemoryStrategy):
    name = "sleep"

    def evict(self, body, ctx: MemoryContext, state: dict | None = None):
        """The turns a sleep consolidates: the shared rule, keeping fewer of the last turns when the
        prompt after waking would otherwise leave no room for :data:`WAKE_ROOM_TURNS` more turns."""
        s = ctx.settings
        keep = self.turns_to_keep(body, ctx, state or {})
        return choose_eviction(body, keep, int(s.min_sleep_share * s.context_budget),
                               lambda ms: ctx.count(ms, with_tools=False))

    def wake_prompt_tokens(self, state: dict, evicted: Sequence[BaseMessage], ctx: MemoryContext) -> int:
        """Tokens of the prompt right after a sleep over ``evicted``, before any kept turn: system
        prompt, tool schemas and task, the wake note it will leave, and the recollection block at
        its cap (its lines are known only once the new version answers)."""
        pinned, _ = split_task(state.get("messages") or [])
        calls = _calls_of(state, evicted)
        note = wake_note(len(state.get("sleeps") or []) + 1, 9999, calls, recall=self._has_recall(ctx))
        fixed = ctx.count([SystemMessage(f"{ctx.system_prompt}\n\n{note}"), *pinned])
        return fixed + int(ctx.settings.recollection_share * ctx.settings.context_budget)

    def turns_to_keep(self, body: Sequence[BaseMessage], ctx: MemoryContext, state: dict) -> int:
        """``keep_last_turns``, or fewer (down to 0) so that after waking the prompt has room under the
        high-water mark for :data:`WAKE_ROOM_TURNS` turns of the window's mean size.

        Without this the fixed part of the prompt (schemas, task, wake note, recollection) plus the
        kept turn stood at 622 of the demo's 600 tokens, and the agent slept after every record."""
        s = ctx.settings
        turns = group_turns(body)
        if not turns or s.keep_last_turns <= 0:
            return max(s.keep_last_turns, 0)
        sizes = [ctx.count(t, with_tools=False) for t in turns]
        mean = sum(sizes) / len(sizes)
        room = s.high_water * s.context_budget - WAKE_ROOM_TURNS * mean
        keep = min(s.keep_last_turns, len(turns) - 1)
        while keep > 0:
            evicted = [m for t in turns[:-keep] for m in t]
            if self.wake_prompt_tokens(state, evicted, ctx) + sum(sizes[-keep:]) <= room:
                break
            keep -= 1
        return keep

    @staticmethod
    def _has_recall(ctx: MemoryContext) -> bool:
        return any(t.get("function", {}).get("name") == RECALL_TOOL for t in ctx.tools)

    def prepare(self, state: dict, ctx: MemoryContext) -> dict:
        """The recollection block's content (:mod:`.recollection`), recomputed only when the live
        adapter version or the consolidated keys the task and the latest turns name changed."""
        share = ctx.settings.recollection_share
        live = ctx.thread.latest() if share > 0 else None
        if live is None:
            return {"recollection": None} if state.get("recollection") else {}
        messages = list(state.get("messages") or [])
        texts = [content_text(m.content) for m in messages[:1] + messages[-RECENT_MESSAGES:]]
        keys = named_keys(live.path, texts)
        old = state.get("recollection") or {}
        # the keys, not only the names: a later turn asking another topic of the same speaker needs other lines
        if old.get("version") == live.version and old.get("keys") == asked_keys(keys):
            return {}
        budget = int(share * ctx.settings.context_budget)
        return {"recollection": recollect(ctx.llm.rt, live.version, keys, budget, ctx.llm.get_num_tokens)}

    def context(self, state: dict, ctx: MemoryContext) -> str | None:
        parts = [state.get("memory_note") or "", block(state.get("recollection"))]
        return "\n\n".join(p for p in parts if p) or None

    def on_overflow(self, state, body, ctx: MemoryContext) -> Overflow:
        evicted = self.evict(body, ctx, state)
        # Nothing but the turn in progress: there is nothing to consolidate, and a sleep over no
        # turns would train on the task alone. The window stays over the mark until a turn ends.
        return Sleep(evicted) if evicted else Update()

    def sleep(self, state: dict, evicted: Sequence[BaseMessage], ctx: MemoryContext, *,
              progress: Callable[[dict], None] | None = None, trajectory_file: str | None = None) -> dict:
        """Consolidate ``evicted`` (with the task) into the thread's adapter; the state update that
        clears them and sets the wake note.

        A refused sleep keeps the previous version live and loses nothing: its turns leave the window
        (keeping them would overflow it again at once) but are kept in the state (``unslept``) and
        consolidated again with the next sleep's, until one is published."""
        pinned, _ = split_task(state["messages"])
        evicted = list(evicted)
        carried = list(state.get("unslept") or [])
        index = len(state.get("sleeps") or []) + 1
        start = state.get("evicted_messages", 0)
        report = consolidate(ctx.llm.rt, ctx.thread.store, pinned + carried + evicted, config=ctx.settings.sleep,
                             agent_prompt=ctx.system_prompt, tools=ctx.tools, span=(start, start + len(evicted)),
                             progress=progress)
        crash_point("sleep_after_publish")  # published and live, window not yet cleared

        calls = _calls_of(state, evicted)
        # at_step: the agent step the sleep followed, so the first step after waking can be told apart
        info = {**report.to_dict(), "sleep": index, "trajectory_file": trajectory_file,
                "span": [start, start + len(evicted)], "at_step": state.get("steps", 0),
                "carried_messages": len(carried)}
        return {
            "messages": [RemoveMessage(id=m.id) for m in evicted],
            "memory_note": wake_note(index, report.version, calls, report.rejected, recall=self._has_recall(ctx)),
            "consolidated_calls": calls,
            "sleeps": list(state.get("sleeps") or []) + [info],
            "unslept": carried + evicted if report.rejected else [],
            "adapter_version": report.version,
            "evicted_messages": start + len(evicted),
        }

    def recall(self, questions: Sequence[str], ctx: MemoryContext, *, context: str = "",
               max_new_tokens: int = ANSWER_TOKENS) -> list[Reply] | None:
        """Answers from the thread's live adapter, gated to the entities its sleeps consolidated
        (:mod:`sleep_agent.consolidation.answering`); ``context`` (text, e.g. the window's
        transcript) is read before each question. None when no sleep has published an adapter yet."""
        rt = ctx.llm.rt
        with rt.lock:
            live = ctx.thread.activate(rt)
            if live is None:
                return None
            return answer_questions(rt, list(questions), QA_SYSTEM_PROMPT, max_new_tokens,
                                    gate=EntityGate.from_adapter(live.path), context=context)
