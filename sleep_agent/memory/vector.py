"""``vector`` memory: evicted turns go to the thread's chromadb collection; the most relevant come back.

On overflow the oldest whole turns leave the window (as in ``window``) and are stored as chunks
(:mod:`.chunks`) in the thread's own collection (:mod:`.vector_store`). Before each model call the
top ``vector_k`` chunks most similar to the task and the latest turns are put into the system prompt
in a labelled block, lowest-ranked dropped first to stay within ``vector_budget_share`` of the budget.

Example::

    >>> graph = build_agent(llm, tools, memory="vector")   # or context={"memory": "vector"} per run
"""

from __future__ import annotations

from langchain_core.messages import RemoveMessage

from .base import MemoryContext, MemoryStrategy, Update
from .chunks import chunk_turns, turn_text
from ..turns import group_turns
from .vector_store import ThreadVectorStore, embedder

__all__ = ["VectorMemory", "RETRIEVED_HEADER"]

RETRIEVED_HEADER = "[Retrieved memory] Notes from earlier in this task that left the window, most relevant first:"
QUERY_TURNS = 2  # latest turns (with the task) that make the retrieval query


class VectorMemory(MemoryStrategy):
    name = "vector"

    def __init__(self):
        self._embedder = None                           # MiniLM, loaded on first use (~1 s)
        self._stores: dict[str, ThreadVectorStore] = {}  # one per thread folder
        self._last: tuple[str, str | None] = ("", None)  # (query, block): the memory and agent nodes ask twice

    def store(self, ctx: MemoryContext) -> ThreadVectorStore:
        key = str(ctx.thread_dir)
        if key not in self._stores:
            if self._embedder is None:
                self._embedder = embedder()
            self._stores[key] = ThreadVectorStore(ctx.thread.vector_dir, self._embedder)
        return self._stores[key]

    def on_overflow(self, state, body, ctx: MemoryContext):
        evicted = self.evict(body, ctx)
        store = self.store(ctx)
        store.add(chunk_turns(evicted, ctx.settings.vector_chunk_chars))
        total = state.get("evicted_messages", 0) + len(evicted)
        note = (f"[Memory] {total} earlier messages left the window and are stored as {store.count()} notes; "
                "the ones most relevant to the current step are shown below.")
        return Update({"messages": [RemoveMessage(id=m.id) for m in evicted], "evicted_messages": total,
                       "memory_note": note})

    def retrieve(self, query: str, ctx: MemoryContext) -> str | None:
        """The labelled block of the chunks most relevant to ``query``, within the token share."""
        key = f"{ctx.thread_dir}\n{query}"
        if self._last[0] == key:
            return self._last[1]
        store = self.store(ctx)
        hits = store.query(query, ctx.settings.vector_k) if store.count() else []
        allowed = int(ctx.settings.vector_budget_share * ctx.settings.context_budget)
        lines, used = [RETRIEVED_HEADER], ctx.llm.get_num_tokens(RETRIEVED_HEADER)
        for hit in hits:  # best first; a chunk that does not fit is skipped for smaller ones
            cost = ctx.llm.get_num_tokens(hit.text) + 2
            if used + cost <= allowed:
                lines.append(f"- {hit.text}")
                used += cost
        if hits and len(lines) == 1:  # not even one whole chunk fits: the best one, cut to fit
            room = max(0, allowed - used) * 3  # ~3 characters per token, a safe underestimate
            lines.append(f"- {hits[0].text[:room]} [... cut to fit the memory budget]")
        block = "\n".join(lines) if len(lines) > 1 else None
        self._last = (key, block)
        return block

    def context(self, state, ctx: MemoryContext):
        messages = state.get("messages", [])
        turns = group_turns(messages)
        query = "\n".join(turn_text(t) for t in turns[:1] + turns[1:][-QUERY_TURNS:])
        block = self.retrieve(query, ctx) if messages else None
        note = state.get("memory_note")
        return "\n\n".join(p for p in (note, block) if p) or None
