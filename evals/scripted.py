"""Scripted mode: replay a task's trajectory through one memory, then ask its questions.

The task's tool calls and results are fed turn by turn (each after the memory's ``prepare``, as the
agent node runs it before the model call: the sleep memory's recollection block), and after each turn the graph's own memory
step runs (:func:`sleep_agent.memory.memory_step`: the same prompt, rendered with the agent's system
prompt and the task's tool schemas, the same exact token count against ``high_water x
context_budget``, the same eviction rule). On overflow the memory does what it does in the graph -
the same strategy objects and methods: ``sleep`` consolidates the chosen turns into the thread's
adapter (:meth:`~sleep_agent.memory.SleepMemory.sleep`, N passes) and leaves its wake note,
``vector`` stores them in the thread's chromadb collection, ``summary`` has the model summarise them
(LangMem), ``window`` drops them, ``full`` keeps them. So memory is measured alone, not the model's
skill at driving tools, and a scripted row evicts what the agent would have evicted
(tests/test_scripted_matches_graph.py). A task's budget is the room it was sized with under a bare
question/answer prompt; the agent's system prompt and tool schemas are added on top
(:func:`fitted_budget`, recorded per row as ``context_budget``). Questions with ``checkpoints`` are also asked right after
those overflows (recall across several sleeps); their items carry ``after_overflows``.

Two reference rows besides the five memories: ``floor`` sees nothing of the trajectory (no window, no
memory: what the model knows anyway) and ``vector+notes`` is ``vector`` that also stores the derived
notes the sleep trains on (fact statements and composed 2-hop facts): the ablation that separates
sleep's gain from derivation from its gain from the weights.

Every strategy then answers the same way (:mod:`.answering`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from langchain_core.messages import RemoveMessage

from sleep_agent import (AgentSettings, ContextOverflowError, LocalChatModel, MemoryContext, SleepConfig, Thread,
                         get_strategy)
from sleep_agent.consolidation import learn_facts
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
from sleep_agent.memory import Sleep, apply_update, build_prompt, group_turns, memory_step
from sleep_agent.models.messages import to_template_dicts

from .answering import SYSTEM_PROMPT, answer_task
from .result import RunResult, sleep_verdicts
from .tasks import EvalTask
from .toolworld import tool_schemas

__all__ = ["run_scripted", "replay", "fitted_budget", "RunResult", "SYSTEM_PROMPT", "STRATEGIES"]

STRATEGIES = ("sleep", "vector", "vector+notes", "summary", "window", "full", "floor")


def scripted_context(task: EvalTask, memory: str, settings: AgentSettings, llm, thread: Thread) -> MemoryContext:
    """The memory context the graph would build for this task: the agent's system prompt and the
    task's tool schemas (with ``recall`` for the sleep memory, as ``build_agent`` adds it)."""
    return MemoryContext(settings, thread, llm, DEFAULT_SYSTEM_PROMPT,
                         tool_schemas(task, recall=settings.memory == "sleep"))


def fitted_budget(runtime, task: EvalTask, budget: int, schemas: list[dict], high_water: float) -> int:
    """The graph's budget that leaves the trajectory the room ``budget`` leaves a bare question/answer
    prompt (the short system prompt and the task, no tools), which is how task budgets are sized
    (``evals/families.py``, users' task files). The agent's own system prompt and the tool schemas come
    on top: 280-360 tokens on Qwen's template, almost nothing on SmolLM2's, which renders no tools,
    so one budget would overflow one model on its first turn and never the other."""
    task_msg = to_template_dicts(task.messages[:1])
    bare = runtime.count_tokens([{"role": "system", "content": SYSTEM_PROMPT}] + task_msg)
    agent = runtime.count_tokens([{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}] + task_msg, schemas)
    return budget + max(0, math.ceil((agent - bare) / high_water))


def replay(task: EvalTask, strategy, ctx: MemoryContext, *, notes: bool = False,
           on_turn: Callable[[dict, list, int], None] | None = None,
           on_overflow: Callable[[dict, int], None] | None = None) -> tuple[dict, str | None]:
    """Feed ``task``'s turns through the memory step; return the final state and the error that
    ended the replay early, if any (``full`` past the model's window: recorded, not hidden).

    ``on_turn(state, turn, window_tokens)`` runs after each turn; ``on_overflow(state, k)`` right
    after the k-th overflow that changed the window. ``notes``: the vector+notes ablation (evicted
    turns' derived fact statements are stored as notes too)."""
    # Memories remove messages by id; user files and generators may leave ids unset.
    messages = [m if m.id else m.model_copy(update={"id": f"{task.id}-{i}"}) for i, m in enumerate(task.messages)]
    state: dict = {"messages": messages[:1]}
    overflows = 0
    noted: list = []  # vector+notes: the facts noted so far
    for turn in group_turns(messages[1:]):
        # What the agent node does before the model call that made this turn: the memory's prepare
        # (the sleep memory's recollection block, with the thread's adapter on), so the memory step
        # counts the prompt the graph would count.
        rt = ctx.llm.rt
        with rt.lock:
            ctx.thread.activate(rt)
            state = apply_update(state, strategy.prepare(state, ctx))
        state = apply_update(state, {"messages": turn})
        try:
            step = memory_step(strategy, state, ctx)
        except ContextOverflowError as e:
            return state, f"{type(e).__name__}: {e}"
        state = apply_update(state, {"messages": step.truncated, "prompt_tokens": step.tokens})
        outcome = step.outcome
        if isinstance(outcome, Sleep):
            state = apply_update(state, strategy.sleep(state, outcome.evicted, ctx))
        elif outcome is not None and outcome.values:
            if notes:
                removed = {m.id for m in outcome.values.get("messages", []) if isinstance(m, RemoveMessage)}
                # the sleep's own facts, extracted and derived (self-study off: notes are taken at eviction),
                # chains linking to facts noted at earlier evictions as the sleep links to earlier sleeps'
                facts, _ = learn_facts([m for m in state["messages"] if m.id in removed], SleepConfig(),
                                       earlier=noted)
                strategy.store(ctx).add([f.statement() for f in facts], kind="notes")
                noted += [f for f in facts if f.kind == "attribute"]
            state = apply_update(state, outcome.values)
        changed = isinstance(outcome, Sleep) or (outcome is not None and bool(outcome.values))
        if changed:  # ``full`` keeps all: no overflow to count
            overflows += 1
            if on_overflow:
                on_overflow(state, overflows)
        if on_turn:
            on_turn(state, turn, ctx.count(build_prompt(strategy, state, ctx)))
    return state, None


def run_scripted(runtime, task: EvalTask, memory: str, *, passes: int, budget: int, data_dir: Path,
                 thread: str, seed: int = 0, keep_last_turns: int = 1,
                 progress: Callable[[dict], None] | None = None) -> RunResult:
    if memory not in STRATEGIES:
        raise ValueError(f"unknown memory {memory!r}: choose from {', '.join(STRATEGIES)}")
    base = {"vector+notes": "vector", "floor": "window"}.get(memory, memory)
    settings = AgentSettings(memory=base, keep_last_turns=keep_last_turns, sleep=SleepConfig(passes=passes, seed=seed))
    ctx = scripted_context(task, memory, settings, LocalChatModel.from_runtime(runtime), Thread(thread, data_dir))
    settings.context_budget = fitted_budget(runtime, task, budget, ctx.tools, settings.high_water)
    strategy = get_strategy(base)
    result = RunResult(items=[], context_budget=settings.context_budget)
    turns = len(group_turns(task.messages[1:]))
    clock = {"fed": 0, "t": time.perf_counter()}
    runtime.deactivate_adapter()

    def on_turn(state, turn, window_tokens):
        clock["fed"] += runtime.count_tokens(to_template_dicts(turn), add_generation_prompt=False)
        now = time.perf_counter()
        result.steps.append({"trajectory_tokens": clock["fed"], "window_tokens": window_tokens,
                             "seconds": round(now - clock["t"], 3)})
        clock["t"] = now
        if progress:
            progress({"turn": len(result.steps), "turns": turns})

    def on_overflow(state, k):
        asked = [q for q in task.questions if k in q.checkpoints]
        if asked:  # recall across sleeps: these questions again, now (not timed as a step)
            t0 = time.perf_counter()
            result.checkpoints += answer_task(runtime, task, memory, strategy, ctx, state,
                                              questions=asked, after_overflows=k)
            clock["t"] += time.perf_counter() - t0

    state: dict = {"messages": []}  # floor: nothing of the trajectory
    if memory != "floor":
        state, result.error = replay(task, strategy, ctx, notes=memory == "vector+notes", on_turn=on_turn,
                                     on_overflow=on_overflow)
    reports = state.get("sleeps") or []
    result.sleeps = len(reports)
    result.verdicts = sleep_verdicts(reports)
    result.sleep_seconds = sum((r.get("seconds") or {}).get("total", 0) for r in reports)
    result.evictions = state.get("evicted_messages", 0)
    result.items = result.checkpoints + answer_task(runtime, task, memory, strategy, ctx, state, error=result.error)
    return result
