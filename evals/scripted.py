"""Scripted mode: replay a task's trajectory through one memory, then ask its questions.

The task's tool calls and results are fed turn by turn into a window with the same budget rules as
the agent's memory node (exact tokens, ``high_water x context_budget``; the task pinned; whole turns
evicted, the last ``keep_last_turns`` kept). On overflow the memory strategy does what it does in the
graph - the same strategy objects: ``sleep`` consolidates the evicted turns into the thread's adapter
(N passes), ``vector`` stores them in the thread's chromadb collection, ``summary`` has the model
summarise them (LangMem), ``window`` drops them, ``full`` keeps them. So memory is measured alone,
not the model's skill at driving tools. Questions with ``checkpoints`` are also asked right after
those overflows (recall across several sleeps); their items carry ``after_overflows``.

Two reference rows besides the five memories: ``floor`` sees nothing of the trajectory (no window, no
memory: what the model knows anyway) and ``vector+notes`` is ``vector`` that also stores the derived
notes the sleep trains on (fact statements and composed 2-hop facts): the ablation that separates
sleep's gain from derivation from its gain from the weights.

Every strategy then answers the same way (:mod:`.answering`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sleep_agent import AdapterStore, AgentSettings
from sleep_agent.consolidation import SleepTrainConfig, consolidate, derive_chains, extract_facts
from sleep_agent.memory import SLEEP, MemoryContext, get_strategy, group_turns, split_keep_last
from sleep_agent.models import LocalChatModel
from sleep_agent.models.messages import to_template_dicts

from .answering import SYSTEM_PROMPT, answer_task
from .tasks import EvalTask

__all__ = ["run_scripted", "RunResult", "SYSTEM_PROMPT", "STRATEGIES"]

STRATEGIES = ("sleep", "vector", "vector+notes", "summary", "window", "full", "floor")


@dataclass
class RunResult:
    items: list[dict]                      # one per question
    sleeps: int = 0
    sleep_seconds: float = 0.0
    evictions: int = 0
    steps: list[dict] = field(default_factory=list)  # per fed turn: trajectory tokens so far, window tokens, s
    error: str | None = None
    agent: dict | None = None              # agent mode: steps, calls planned / made, tool errors, nudges
    checkpoints: list[dict] = field(default_factory=list)  # items asked mid-run (after_overflows = k)


def run_scripted(runtime, task: EvalTask, memory: str, *, passes: int, budget: int, data_dir: Path,
                 thread: str, seed: int = 0, keep_last_turns: int = 1,
                 progress: Callable[[dict], None] | None = None) -> RunResult:
    if memory not in STRATEGIES:
        raise ValueError(f"unknown memory {memory!r}: choose from {', '.join(STRATEGIES)}")
    notes = memory == "vector+notes"
    base = {"vector+notes": "vector", "floor": "window"}.get(memory, memory)
    settings = AgentSettings(memory=base, context_budget=budget, keep_last_turns=keep_last_turns,
                             sleep_passes=passes)
    llm = LocalChatModel.from_runtime(runtime)
    ctx = MemoryContext(settings, thread, data_dir / "threads" / thread, llm)
    strategy = get_strategy(base)
    store = AdapterStore(thread, data_dir)
    system = [{"role": "system", "content": SYSTEM_PROMPT}]
    # Memories remove messages by id; user files and generators may leave ids unset.
    messages = [m if m.id else m.model_copy(update={"id": f"{task.id}-{i}"}) for i, m in enumerate(task.messages)]
    pinned, turns = messages[:1], group_turns(messages[1:])
    if memory == "floor":
        pinned, turns = [], []
    state: dict = {"messages": list(pinned)}
    result = RunResult(items=[])
    fed_tokens, t_feed, overflows = 0, time.perf_counter(), 0
    runtime.deactivate_adapter()

    for turn in turns:
        state["messages"] += turn
        fed_tokens += runtime.count_tokens(to_template_dicts(turn), add_generation_prompt=False)
        extra = strategy.context(state, ctx)
        sys_text = SYSTEM_PROMPT + (f"\n\n{extra}" if extra else "")
        window = [{"role": "system", "content": sys_text}] + to_template_dicts(state["messages"])
        tokens = runtime.count_tokens(window)
        if tokens > settings.high_water * budget:
            body = state["messages"][1:]
            try:
                action = strategy.on_overflow({**state, "prompt_tokens": tokens}, body, ctx)
            except Exception as e:  # full: the window no longer fits the model - recorded, not hidden
                result.error = f"{type(e).__name__}: {e}"
                break
            if action == SLEEP:
                evicted, kept = split_keep_last(body, keep_last_turns)
                t0 = time.perf_counter()
                consolidate(runtime, store, pinned + evicted,
                            config=SleepTrainConfig(passes=passes, lr=settings.sleep_lr, rank=settings.lora_rank,
                                                    alpha=2 * settings.lora_rank, seed=seed,
                                                    distill=settings.sleep_distill))
                result.sleep_seconds += time.perf_counter() - t0
                result.sleeps += 1
                state["messages"] = pinned + kept
                result.evictions += len(evicted)
            elif action:
                removed = {m.id for m in action.get("messages", [])}
                if notes:
                    facts = extract_facts([m for m in body if m.id in removed])
                    strategy.add_notes([f.statement() for f in facts + derive_chains(facts)], ctx)
                state["messages"] = [m for m in state["messages"] if m.id not in removed]
                state.update({k: v for k, v in action.items() if k != "messages"})
                result.evictions += len(removed)
            if action:  # something left the window (``full`` keeps all: no overflow to count)
                overflows += 1
                asked = [q for q in task.questions if overflows in q.checkpoints]
                if asked:  # recall across sleeps: these questions again, now (not timed as a step)
                    t0 = time.perf_counter()
                    result.checkpoints += answer_task(runtime, task, memory, strategy, ctx, state, store,
                                                      questions=asked, after_overflows=overflows)
                    t_feed += time.perf_counter() - t0
            tokens = runtime.count_tokens([{"role": "system", "content": sys_text}]
                                          + to_template_dicts(state["messages"]))
        now = time.perf_counter()
        result.steps.append({"trajectory_tokens": fed_tokens, "window_tokens": tokens,
                             "seconds": round(now - t_feed, 3)})
        t_feed = now
        if progress:
            progress({"turn": len(result.steps), "turns": len(turns)})

    result.items = result.checkpoints + answer_task(runtime, task, memory, strategy, ctx, state, store,
                                                    error=result.error)
    return result
