"""Re-score committed eval results with the current checker (:mod:`sleep_agent.scoring`).

The replies in a ``results.jsonl`` stay as they were generated (cut at 24 tokens and at the first
sentence by the old splitter); only the verdict is recomputed, so this shows what the checker alone
changes. Rows written before the checker record their ``check`` and ``wrong`` values are given the
family's: ``state`` questions are numbers, ``updates`` questions must not state the value before the
move (rebuilt from the seeded family, whose names and values did not change).

Usage::

    python -m sleep_agent_benchmarks.rescore docs/eval-small docs/eval-recall --out docs/rescored.md
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from sleep_agent.scoring import is_correct, is_tool_call
from sleep_agent_evals.families import SUITES, updates

__all__ = ["rescore_rows", "main"]


def _wrong_values(rows: list[dict]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(task id, expected answer) -> the stale values of the updates family's moved people."""
    out = {}
    for task_id in {r["task"] for r in rows if r["family"] == "updates"}:
        seed = int(task_id.rsplit("-", 1)[1])
        people = {r["question"] for r in rows if r["task"] == task_id and r.get("after_overflows") is None}
        for size in sorted({kw["updates"]["people"] for kw, _ in SUITES.values() if "updates" in kw}):
            task = updates(seed, people=size)
            if len([q for q in task.questions if q.check != "decline"]) == 2 * len(people):
                out.update({(task_id, q.answer): q.wrong for q in task.questions if q.wrong})
                break
    return out


def rescore_rows(rows: list[dict]) -> list[dict]:
    """The rows with ``correct_before`` (as committed), ``correct`` (current checker), ``tool_call``."""
    wrong = _wrong_values(rows)
    out = []
    for r in rows:
        check = r.get("check") or ("number" if r["family"] == "state" else "contains")
        stale = tuple(r.get("wrong") or wrong.get((r["task"], r["expected"]), ()))
        ok = bool(r.get("error") is None and is_correct(r["reply"], r["expected"], check, wrong=stale))
        out.append({**r, "correct_before": r["correct"], "correct": ok, "tool_call": is_tool_call(r["reply"])})
    return out


def _summary(rows: list[dict]) -> dict:
    by = defaultdict(lambda: [0, 0, 0, 0])  # before, after, tool calls, questions
    for r in rows:
        if r.get("after_overflows") is not None:
            continue
        name = f"sleep N={r['passes']}" if r["strategy"] == "sleep" else r["strategy"]
        s = by[name]
        s[0] += r["correct_before"]
        s[1] += r["correct"]
        s[2] += r["tool_call"]
        s[3] += 1
    return by


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path, help="eval output folders with results.jsonl")
    ap.add_argument("--out", type=Path, help="write the comparison as markdown here")
    args = ap.parse_args(argv)
    md = ["# Committed eval results re-scored with the current checker\n",
          "Produced by: `python -m sleep_agent_benchmarks.rescore "
          + " ".join(str(f) for f in args.folders) + (f" --out {args.out}`\n" if args.out else "`\n"),
          "Same replies, new verdicts (sleep_agent/scoring.py). Final questions only (checkpoint answers "
          "left out).\n"]
    for folder in args.folders:
        rows = rescore_rows([json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()
                             if line.strip()])
        flips = [r for r in rows if r["correct"] != r["correct_before"]]
        md.append(f"\n## {folder}\n\n{len(rows)} answers; {len(flips)} verdicts changed "
                  f"({sum(r['correct'] for r in flips)} to right, {sum(not r['correct'] for r in flips)} to wrong).\n")
        md.append("| memory | before | now | tool-call replies | questions |\n|---|---|---|---|---|")
        for name, (before, after, calls, n) in sorted(_summary(rows).items()):
            md.append(f"| {name} | {before / n:.3f} | {after / n:.3f} | {calls} | {n} |")
        if flips:
            md.append("\nChanged verdicts (first 12):\n")
            md += [f"- {r['strategy']} {r['task']}: expected `{r['expected']}`, reply `{r['reply']}` -> "
                   f"{'right' if r['correct'] else 'wrong'}" for r in flips[:12]]
    text = "\n".join(md) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
