"""Ask a task's questions of one memory once its trajectory has run (scripted or agent mode).

Every strategy answers the same way: one short system prompt (+ the memory's text: retrieved notes for
the question, or the running summary), then one user turn with the window left at the end rendered as
text (:func:`sleep_agent.models.messages.transcript`) above the question. The prompt ends in the
question, not in tool turns, so a row measures memory rather than the model's habit of calling the
next tool (a reply that is a tool call is scored wrong and counted in ``tool_call``).

``sleep`` first asks its memory through the sleep memory's own recall
(:meth:`sleep_agent.SleepMemory.recall`, the path the ``recall`` tool takes): the adapter for
questions naming an entity its sleeps consolidated, the base model (which declines names it does not
know) for the rest. What the adapter recalled is then read back as the graph's agent reads it: the
base model answers with it as a recollection block in the system prompt (:mod:`sleep_agent.memory.
recollection`; the agent decodes with the base, ``act_with_adapter`` off), like the vector store's
retrieved notes. Why: a sleep trained on a transcript recalls whole lines ("On 8 May, 2023,
Caroline said: I went to a LGBTQ support group yesterday ..."), and a line said back is not an answer
to "When did Caroline go to the support group?" (LoCoMo conv-26 at N=4, 2026-12-06: most replies
recited a line, many the right one, token F1 0.105). Before any sleep the base model answers alone.

With the recall comes the graph's recollection for the question (the sleep memory's ``prepare``, as the
agent node calls it before each model call, with the question as the latest turn): the consolidated
keys the question names (a speaker and the topics of theirs it names, :func:`sleep_agent.memory.
recollection.named_keys`) asked in the forms they were trained in. Its lines join the recalled one in
the block, so a question in a person's words that the adapter answers with the wrong line can still
bring back the right one by the words it shares with it. A decline, a tool call or a reply from the
base model with nothing recollected stands as it is. Each sleep row keeps what the weights said
(``recalled``) and the block's lines (``recollected``) beside the reply.

Replies are greedy, batched, up to :data:`~sleep_agent.consolidation.ANSWER_TOKENS`, cut at the first
sentence and scored by :mod:`sleep_agent.scoring`.
"""

from __future__ import annotations

import resource
import time

from langchain_core.messages import HumanMessage

from sleep_agent import QA_SYSTEM_PROMPT, MemoryContext
from sleep_agent.consolidation import ANSWER_TOKENS, Reply, with_context
from sleep_agent.memory.recollection import block
from sleep_agent.models.messages import transcript
from sleep_agent.scoring import first_sentence_done, is_decline, token_f1

from .tasks import EvalTask, check_answer

__all__ = ["answer_task", "SYSTEM_PROMPT"]

SYSTEM_PROMPT = QA_SYSTEM_PROMPT


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def answer_task(runtime, task: EvalTask, memory: str, strategy, ctx: MemoryContext, state: dict, *,
                error: str | None = None, questions=None, after_overflows: int | None = None) -> list[dict]:
    """One result item per question of ``task`` (or of ``questions``). ``memory`` is the eval strategy
    name (``vector+notes`` and ``floor`` included), ``strategy`` the memory object it runs on, ``state``
    the graph-like state (``messages`` = the window, plus the memory's keys) at the end of the run, or
    right after the ``after_overflows``-th overflow for a checkpoint (recorded in each item; None at
    the end). A run that ended in ``error`` keeps its replies but scores none of them correct."""
    questions = task.questions if questions is None else questions
    window = transcript(state["messages"])

    def prompt(question: str, extra: str | None) -> str:
        return runtime.render([{"role": "system", "content": SYSTEM_PROMPT + (f"\n\n{extra}" if extra else "")},
                               {"role": "user", "content": with_context(question, window)}])

    def base(texts: list[str]) -> list[Reply]:  # the base model reads its prompts
        with runtime.lock:
            runtime.deactivate_adapter()
            return [Reply.of(text, ended) for text, ended in
                    runtime.generate_batch_ends(texts, max_new_tokens=ANSWER_TOKENS, done=first_sentence_done)]

    def extra(question: str) -> str | None:  # the memory's text for the system prompt
        if memory == "sleep":
            return None  # the sleep's comes from its recall, below
        if memory in ("vector", "vector+notes"):
            return strategy.retrieve(question, ctx)
        return strategy.context(state, ctx)

    def recollected(question: str) -> list[str]:  # the graph's recollection block for the question as the latest turn
        with runtime.lock:
            ctx.thread.activate(runtime)
            rec = strategy.prepare({"messages": [HumanMessage(question)]}, ctx).get("recollection")
        return list((rec or {}).get("lines") or [])

    prompts = [prompt(q.question, extra(q.question)) for q in questions]

    t0 = time.perf_counter()
    recalled, lines = None, []
    if memory == "sleep":
        recalled = strategy.recall([q.question for q in questions], ctx, context=window,
                                   max_new_tokens=ANSWER_TOKENS)
    if recalled is None:  # no adapter (yet), or another memory
        replies = base(prompts)
    else:
        replies = list(recalled)
        version = ctx.thread.latest().version
        lines = [([str(r)] if r.from_adapter and not r.tool_call and not is_decline(r) else [])
                 + [x for x in recollected(q.question) if x != str(r)] for q, r in zip(questions, recalled)]
        read = [i for i, got in enumerate(lines) if got]
        for i in read:
            prompts[i] = prompt(questions[i].question, block({"version": version, "lines": lines[i]}))
        for i, reply in zip(read, base([prompts[i] for i in read]) if read else []):
            replies[i] = reply
    per_item = (time.perf_counter() - t0) / max(1, len(prompts))
    runtime.deactivate_adapter()
    items = []
    for i, q in enumerate(questions):
        reply = replies[i]
        items.append({
            "question": q.question, "expected": q.answer, "reply": str(reply), "check": q.check,
            "recalled": None if recalled is None else str(recalled[i]),  # what the sleep's weights said
            "recollected": None if recalled is None else lines[i],  # ...and the block read back (may be [])
            "style": q.style, "correct": bool(error is None and check_answer(reply, q)),
            "category": q.category,
            # token F1 as LoCoMo scores (multi-hop part by part); a declining question has no F1
            "f1": None if q.check == "decline" else (0.0 if error else token_f1(
                str(reply), q.answer, multi=q.category == "multi-hop")),
            "tool_call": reply.tool_call, "hit_budget": reply.hit_budget,
            "depth": q.depth, "window": q.window, "after_overflows": after_overflows,
            "tokens_in_context": len(runtime.encode(prompts[i])),
            "seconds": round(per_item, 3), "peak_rss_mb": _peak_rss_mb()})
    return items
