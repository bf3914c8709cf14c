"""The eval runner: strategies x sleep duration N x seeds over a suite, results appended as JSON Lines.

Each (task, strategy, N, seed) is one run, in scripted or agent mode; its rows (one per question)
are appended to ``<out>/results.jsonl`` as soon as the run ends, so an interrupted eval resumes where
it stopped (runs already in the file are skipped). N matters only to ``sleep``; the other memories run once per task
and seed (their rows carry ``passes: null``). Each run gets its own thread folder under ``<out>/data``; a
run not in the file starts from an empty one (an interrupted run's folder is removed first: its adapters
would otherwise carry into the rerun, which then slept on nothing new and scored what the first try learned).

Example::

    >>> rows = run_eval(runtime, suite("smoke", 0), strategies=["sleep", "vector"], passes=[1, 2],
    ...                 seeds=[0], out=Path("evals-out"))
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm.auto import tqdm

from sleep_agent.paths import thread_dir

from .agent import AGENT_STRATEGIES, run_agent
from .scripted import STRATEGIES, run_scripted
from .tasks import EvalTask

__all__ = ["run_eval", "read_results", "RESULTS_FILE", "STRATEGIES", "MODES"]

MODES = ("scripted", "agent")

RESULTS_FILE = "results.jsonl"


def read_results(out: Path) -> list[dict]:
    path = out / RESULTS_FILE
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # a line cut by a crash mid-write: that run is redone
            continue
    return rows


def _key(task_id: str, strategy: str, passes, seed: int, mode: str) -> str:
    return f"{task_id}|{strategy}|{passes}|{seed}" + ("" if mode == "scripted" else f"|{mode}")


def run_eval(runtime, tasks_for_seed: Callable[[int], Sequence[EvalTask]], *, strategies: Sequence[str],
             passes: Sequence[int], seeds: Sequence[int], out: Path, budget: int, model: str,
             mode: str = "scripted", log: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Run the grid; returns every result row in ``out`` (earlier runs included). ``budget``: the
    context budget of tasks that do not carry their own (``task.meta["budget"]``). ``mode``:
    ``scripted`` (the task's tool calls are replayed: memory alone) or ``agent`` (the model drives
    the tools in the real graph, see :mod:`.agent`)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: choose from {', '.join(MODES)}")
    allowed = STRATEGIES if mode == "scripted" else AGENT_STRATEGIES
    bad = [s for s in strategies if s not in allowed]
    if bad:
        raise ValueError(f"strategies {', '.join(bad)} have no {mode} mode: choose from {', '.join(allowed)}")
    out.mkdir(parents=True, exist_ok=True)
    done = {r["run"] for r in read_results(out)}
    plan = []
    for seed in seeds:
        for task in tasks_for_seed(seed):
            for strategy in strategies:
                for n in (passes if strategy == "sleep" else [None]):
                    plan.append((seed, task, strategy, n))
    todo = [p for p in plan if _key(p[1].id, p[2], p[3], p[0], mode) not in done]
    log(f"{len(plan)} runs planned, {len(plan) - len(todo)} already in {out / RESULTS_FILE}")
    bar = tqdm(todo, desc="eval runs", unit="run", disable=not todo)
    for seed, task, strategy, n in bar:
        bar.set_postfix_str(f"{task.id} {strategy}" + (f" N={n}" if n else ""))
        key = _key(task.id, strategy, n, seed, mode)
        thread = f"{task.id}-{strategy.replace('+', '-')}-{n or 0}-{seed}" + ("" if mode == "scripted" else f"-{mode}")
        if (stale := thread_dir(thread, out / "data")).exists():  # an interrupted try: see the module docstring
            log(f"{key}: not in {RESULTS_FILE}, so its folder {stale} is from an interrupted run: removed")
            shutil.rmtree(stale)
        run = run_scripted if mode == "scripted" else run_agent
        task_budget = task.meta.get("budget") or budget
        res = run(runtime, task, strategy, passes=n or 1, budget=task_budget, data_dir=out / "data",
                  thread=thread, seed=seed)
        turns = res.steps
        rows = [{"run": key, "task": task.id, "family": task.family, "strategy": strategy, "passes": n,
                 "seed": seed, "mode": mode, "agent": res.agent if i == 0 else None,
                 "model": model, "budget": task_budget, "context_budget": res.context_budget, "sleeps": res.sleeps,
                 "sleeps_refused": sum(v["verdict"] == "refused" for v in res.verdicts),
                 "sleep_verdicts": res.verdicts if i == 0 else None,
                 "sleep_seconds": round(res.sleep_seconds, 1), "evictions": res.evictions, "error": res.error,
                 "trajectory_tokens": turns[-1]["trajectory_tokens"] if turns else 0,
                 "step_costs": turns if i == 0 else None, **item}
                for i, item in enumerate(res.items)]
        with open(out / RESULTS_FILE, "a") as f:  # one write per run, then fsync: a crash loses one run
            f.write("".join(json.dumps(r) + "\n" for r in rows))
            f.flush()
            os.fsync(f.fileno())
    return read_results(out)
