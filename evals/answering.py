"""Ask a task's questions of one memory once its trajectory has run (scripted or agent mode).

Every strategy answers the same way: one short system prompt (+ the memory's text: retrieved notes for
the question, or the running summary), the window left at the end, then the question. ``sleep``
answers with its adapter on, gated to the entities it consolidated (a question naming none of them
goes to the base model). Replies are greedy, batched, and cut at the first sentence.
"""

from __future__ import annotations

import resource
import time

from sleep_agent import AdapterStore
from sleep_agent.consolidation import EntityGate, SleepTrainConfig
from sleep_agent.consolidation.validation import first_sentence
from sleep_agent.memory import MemoryContext
from sleep_agent.models.messages import to_template_dicts

from .tasks import EvalTask, check_answer

__all__ = ["answer_task", "SYSTEM_PROMPT", "ANSWER_TOKENS"]

SYSTEM_PROMPT = SleepTrainConfig.system_prompt
ANSWER_TOKENS = 24  # a name, a place or a number, and the start of a sentence around it


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def answer_task(runtime, task: EvalTask, memory: str, strategy, ctx: MemoryContext, state: dict,
                store: AdapterStore, *, error: str | None = None, questions=None,
                after_overflows: int | None = None) -> list[dict]:
    """One result item per question of ``task`` (or of ``questions``). ``memory`` is the eval strategy
    name (``vector+notes`` and ``floor`` included), ``strategy`` the memory object it runs on, ``state``
    the graph-like state (``messages`` = the window, plus the memory's keys) at the end of the run, or
    right after the ``after_overflows``-th overflow for a checkpoint (recorded in each item; None at
    the end). A run that ended in ``error`` keeps its replies but scores none of them correct."""
    questions = task.questions if questions is None else questions
    window = to_template_dicts(state["messages"])
    latest = store.latest() if memory == "sleep" else None
    gate = EntityGate.from_adapter(latest.path) if latest else None
    prompts, routed = [], []
    for q in questions:
        if memory in ("vector", "vector+notes"):
            extra = strategy.retrieve(q.question, ctx)
        elif memory == "sleep":
            extra = None
        else:
            extra = strategy.context(state, ctx)
        msgs = [{"role": "system", "content": SYSTEM_PROMPT + (f"\n\n{extra}" if extra else "")}] + window + [
            {"role": "user", "content": q.question}]
        prompts.append(runtime.render(msgs))
        routed.append(gate is not None and gate.allows(q.question))

    t0 = time.perf_counter()
    replies: dict[int, str] = {}
    if latest is not None:
        runtime.activate_adapter(latest.path)
        on = [i for i, r in enumerate(routed) if r]
        replies.update(zip(on, runtime.generate_batch([prompts[i] for i in on], max_new_tokens=ANSWER_TOKENS)))
    else:
        runtime.deactivate_adapter()
    with runtime.adapter_disabled():
        off = [i for i in range(len(prompts)) if i not in replies]
        replies.update(zip(off, runtime.generate_batch([prompts[i] for i in off], max_new_tokens=ANSWER_TOKENS)))
    per_item = (time.perf_counter() - t0) / max(1, len(prompts))
    runtime.deactivate_adapter()
    items = []
    for i, q in enumerate(questions):
        reply = first_sentence(replies[i])
        items.append({
            "question": q.question, "expected": q.answer, "reply": reply,
            "correct": bool(error is None and check_answer(reply, q)),
            "depth": q.depth, "window": q.window, "after_overflows": after_overflows,
            "tokens_in_context": len(runtime.encode(prompts[i])),
            "seconds": round(per_item, 3), "peak_rss_mb": _peak_rss_mb()})
    return items
