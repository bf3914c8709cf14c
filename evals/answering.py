"""Ask a task's questions of one memory once its trajectory has run (scripted or agent mode).

Every strategy answers the same way: one short system prompt (+ the memory's text: retrieved notes for
the question, or the running summary), then one user turn with the window left at the end rendered as
text (:func:`sleep_agent.models.messages.transcript`) above the question. The prompt ends in the
question, not in tool turns, so a row measures memory rather than the model's habit of calling the
next tool (a reply that is a tool call is scored wrong and counted in ``tool_call``). ``sleep``
answers through the sleep memory's own recall (:meth:`sleep_agent.SleepMemory.recall`, the path the
``recall`` tool takes): the adapter for questions naming an entity its sleeps consolidated, the base
model (which declines names it does not know) for the rest; before any sleep, the base model alone.
Replies are greedy, batched, up to :data:`~sleep_agent.consolidation.ANSWER_TOKENS`, cut at the first
sentence and scored by :mod:`sleep_agent.scoring`.
"""

from __future__ import annotations

import resource
import time

from sleep_agent import QA_SYSTEM_PROMPT, MemoryContext
from sleep_agent.consolidation import ANSWER_TOKENS, Reply, with_context
from sleep_agent.models.messages import transcript
from sleep_agent.scoring import first_sentence_done, token_f1

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
    prompts = []
    for q in questions:
        if memory in ("vector", "vector+notes"):
            extra = strategy.retrieve(q.question, ctx)
        elif memory == "sleep":
            extra = None
        else:
            extra = strategy.context(state, ctx)
        msgs = [{"role": "system", "content": SYSTEM_PROMPT + (f"\n\n{extra}" if extra else "")},
                {"role": "user", "content": with_context(q.question, window)}]
        prompts.append(runtime.render(msgs))

    t0 = time.perf_counter()
    replies = None
    if memory == "sleep":
        replies = strategy.recall([q.question for q in questions], ctx, context=window,
                                  max_new_tokens=ANSWER_TOKENS)
    if replies is None:  # no adapter (yet), or another memory: the base model reads its prompt
        with runtime.lock:
            runtime.deactivate_adapter()
            replies = [Reply.of(text, ended)
                       for text, ended in runtime.generate_batch_ends(prompts, max_new_tokens=ANSWER_TOKENS,
                                                                      done=first_sentence_done)]
    per_item = (time.perf_counter() - t0) / max(1, len(prompts))
    runtime.deactivate_adapter()
    items = []
    for i, q in enumerate(questions):
        reply = replies[i]
        items.append({
            "question": q.question, "expected": q.answer, "reply": str(reply), "check": q.check,
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
