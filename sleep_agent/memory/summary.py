"""``summary`` memory: the local model keeps a running summary of evicted turns, shown in the prompt.

The summarising is LangMem's (``langmem.short_term.summarize_messages``) with our LocalChatModel as the
summariser. LangMem picks what to summarise from two limits: the prefix of the messages whose removal
leaves ``max_tokens - max_summary_tokens`` for the rest, and, as input to the summariser, at most
``max_tokens`` tokens (older messages are trimmed first). We decide the cut ourselves (whole turns, as
every memory does) and pass only the evicted turns, with the limits set so LangMem summarises all of
them and trims none: ``max_tokens_before_summary`` = their token count and ``max_tokens`` = that
plus the summary allowance. (With LangMem's own window arithmetic and a 2k budget, the summariser
would have seen only the last ~500 tokens of what left the window.)

The prompts ask a small model for what later questions need - names, values, results - rather than
LangMem's generic "Create a summary of the conversation above".
"""

from __future__ import annotations

from langchain_core.messages import RemoveMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate

from ..models.messages import content_text
from .base import MemoryContext, MemoryStrategy, Update

__all__ = ["SummaryMemory", "SUMMARY_HEADER"]

SUMMARY_HEADER = "[Summary of earlier work] The turns below left the window; this is what they contained:"
_ASK = ("Write a short summary of the tool calls and results above as a list of facts. Keep every name, "
        "number and value exactly as written. Do not add anything that is not above.")
INITIAL_PROMPT = ChatPromptTemplate.from_messages([("placeholder", "{messages}"), ("user", _ASK)])
EXISTING_PROMPT = ChatPromptTemplate.from_messages([
    ("placeholder", "{messages}"),
    ("user", "Summary so far:\n{existing_summary}\n\n" + _ASK + " Keep every fact of the summary so far, "
             "then add the new ones."),
])


class SummaryMemory(MemoryStrategy):
    name = "summary"

    def on_overflow(self, state, body, ctx: MemoryContext):
        from langmem.short_term import RunningSummary, summarize_messages

        evicted = self.evict(body, ctx)
        if not evicted:
            return Update()
        prev = state.get("memory_summary") or None
        running = RunningSummary(prev["summary"], set(prev.get("ids", [])), prev.get("last_id")) if prev else None
        # Additive per-message counts (content only): LangMem sums per-message counts to find its cut,
        # and a templated count of one message would add the chat template's default system prompt
        # to every message, moving the cut before the end of the evicted turns.
        count = lambda msgs: sum(ctx.llm.get_num_tokens(content_text(m.content)) + 4 for m in msgs)  # noqa: E731
        n = count(evicted)
        summary_tokens = count([SystemMessage(running.summary)]) if running else 0
        limit = ctx.settings.summary_max_tokens
        result = summarize_messages(
            evicted, running_summary=running, model=ctx.llm.bind(max_new_tokens=limit),
            max_tokens=n + limit + summary_tokens + 1, max_tokens_before_summary=n,
            max_summary_tokens=limit, token_counter=count,
            initial_summary_prompt=INITIAL_PROMPT, existing_summary_prompt=EXISTING_PROMPT)
        rs = result.running_summary
        done = set(rs.summarized_message_ids) if rs else set()
        gone = [m for m in evicted if m.id in done]  # only what the summary covers leaves the window
        if rs is None or not gone:
            return Update()
        summary = {"summary": rs.summary.strip(), "ids": sorted(done), "last_id": rs.last_summarized_message_id}
        return Update({"messages": [RemoveMessage(id=m.id) for m in gone],
                       "memory_summary": summary,
                       "evicted_messages": state.get("evicted_messages", 0) + len(gone)})

    def context(self, state, ctx: MemoryContext):
        summary = (state.get("memory_summary") or {}).get("summary")
        return f"{SUMMARY_HEADER}\n{summary}" if summary else None
