"""What a sleep costs against what it learns: a full window and a two-turn one, from the same thread.

Issue #21's target: a two-turn sleep costs at most a third of a full-window sleep. The windows are the
demo's (``next_record`` results as plain text, the agent's system prompt and tool schemas, so the
sleep builds behavior examples as it does in the graph). A fresh thread sleeps over records 1-4; then,
from that same version, one sleep over the next four records (a full window: 8 turns) and, after a
rollback to it, one over the next record alone (two turns: the call and its result). Each sleep's
seconds by phase, data parts and training steps are recorded.

    python -m sleep_agent_benchmarks.sleep_cost [--model qwen2.5-coder-0.5b] [--passes 2] [--seed 7] [--out docs]

Writes ``sleep-cost-seed<K>.json`` and ``.md`` into ``--out`` (one command per seed: each takes about
7 minutes on 2 CPU cores), then ``sleep-cost.md``: the ratio over every seed there, mean and
lowest-highest.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from .results import write_results, write_seed_summary

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIRST, FULL = 4, 4   # records in the first sleep's window and in the full window after it
TARGET = 1 / 3       # two-turn sleep seconds / full-window sleep seconds (issue #21)
CHECKS = ("heldout", "retained", "general", "unknown")  # validation's scores, kept per sleep: a cheap
# sleep that validation refuses (or that passes with its anchors broken) is not a saving


def window(archive, lo: int, hi: int, task: str) -> list:
    """The task and records ``lo``..``hi - 1`` as the agent's call/result turns."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    msgs = [HumanMessage(task)]
    for i in range(lo, hi):
        p = archive.people[i]
        text = f"Record {i + 1} of {len(archive.people)}: {p.name} lives in {p.city} and works as a {p.job}."
        msgs += [AIMessage("", tool_calls=[{"name": "next_record", "args": {}, "id": f"call-{i}"}]),
                 ToolMessage(text, tool_call_id=f"call-{i}", name="next_record")]
    return msgs


def _row(name: str, report, turns: int) -> dict:
    return {"sleep": name, "turns": turns, "version": report.version, "published": not report.rejected,
            "rejected": report.rejected, "facts": report.facts, "parts": report.data_parts,
            "steps": len(report.loss_curve), "train_tokens": report.train_tokens, "seconds": report.seconds,
            "validation": {k: report.validation.get(k) for k in CHECKS}}


def measure(rt, passes: int, seed: int, data_dir: Path, *, validate: bool = True) -> dict:
    """The three sleeps on runtime ``rt`` (``validate`` off: every sleep publishes, for plumbing tests
    on a tiny random model, which can answer nothing back)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from sleep_agent import SleepConfig, Thread
    from sleep_agent.consolidation import consolidate
    from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
    from sleep_agent_tools import RecordArchive

    archive = RecordArchive(seed=seed, size=FIRST + FULL + 1)
    task = "Read every record, then say in which city the first person lives."
    tools = [convert_to_openai_tool(archive.tool())]
    store = Thread("sleep-cost", data_dir).store
    config = SleepConfig(passes=passes, validate=validate)

    def sleep(name, lo, hi):
        msgs = window(archive, lo, hi, task)
        print(f"{name}: records {lo + 1}-{hi}", flush=True)
        report = consolidate(rt, store, msgs, config=config, agent_prompt=DEFAULT_SYSTEM_PROMPT, tools=tools)
        print(f"  {report.seconds}", flush=True)
        return _row(name, report, 2 * (hi - lo))

    rows = [sleep("first (records 1-4)", 0, FIRST)]
    if store.latest() is None:
        raise RuntimeError(f"the first sleep was refused ({'; '.join(rows[0]['rejected'])}): no version to "
                           "compare the two sleeps from; try another --seed or --passes")
    base = store.latest().version
    rows.append(sleep("full window (records 5-8)", FIRST, FIRST + FULL))
    if store.latest().version != base:
        store.rollback(base)
    rows.append(sleep("two turns (record 9)", FIRST + FULL, FIRST + FULL + 1))
    full, two = rows[1]["seconds"]["total"], rows[2]["seconds"]["total"]
    return {"passes": passes, "seed": seed, "rows": rows, "ratio": round(two / full, 3),
            "target": round(TARGET, 3), "met": two / full <= TARGET}


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _verdict(row: dict) -> str:
    return "yes" if row["published"] else "no: " + "; ".join(row["rejected"])


def _scores(row: dict) -> str:
    v = row.get("validation") or {}
    return " / ".join("-" if v.get(k) is None else f"{v[k]:.2f}" for k in CHECKS)


def table(result: dict) -> str:
    """The markdown table of the three sleeps and the verdict on the target."""
    lines = ["| sleep | turns | published | facts | examples (probe / context / replay / unknown / general / behavior) "
             "| steps | dataset s | self-study s | train s | validate s | total s | held-out / retained / general / unknown |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        p, s = r["parts"], r["seconds"]
        lines.append(f"| {r['sleep']} | {r['turns']} | {_verdict(r)} "
                     f"| {r['facts']} | {p.get('probe', 0)} / {p.get('context', 0)} / {p.get('replay', 0)} / {p.get('unknown', 0)} / "
                     f"{p.get('general', 0)} / {p.get('behavior', 0)} | {r['steps']} | {s.get('dataset')} | "
                     f"{s.get('self_study')} | {s.get('train')} | {s.get('validate')} | {s.get('total')} | {_scores(r)} |")
    lines += ["", f"Model {result['model']}, N={result['passes']}, on {result['machine']}, commit {result['commit']}. "
                  f"Two-turn sleep / full-window sleep (total seconds, both from the first sleep's version): "
                  f"**{result['ratio']}** (target <= {result['target']}: {'met' if result['met'] else 'not met'})."]
    return "\n".join(lines) + "\n"


def summary(runs: list[dict]) -> str:
    """The ratio per seed and over the seeds (mean, lowest-highest), with the two sleeps' verdicts."""
    lines = ["| seed | commit | full window s (train / validate) | two turns s (train / validate) | ratio "
             "| full-window sleep published | two-turn sleep published |",
             "|---|---|---|---|---|---|---|"]
    for r in runs:
        full, two = r["rows"][1], r["rows"][2]
        lines.append(f"| {r['seed']} | {r['commit']} | {full['seconds']['total']} ({full['seconds']['train']} / "
                     f"{full['seconds']['validate']}) | {two['seconds']['total']} ({two['seconds']['train']} / "
                     f"{two['seconds']['validate']}) | {r['ratio']} | {_verdict(full)} | {_verdict(two)} |")
    ratios = [r["ratio"] for r in runs]
    mean = sum(ratios) / len(ratios)
    lines += ["", f"Model {runs[0]['model']}, N={runs[0]['passes']}, on {runs[0]['machine']}. Two-turn sleep / "
                  f"full-window sleep over {len(runs)} seed(s): **{mean:.3f}** ({min(ratios):.3f}-{max(ratios):.3f}); "
                  f"target <= {runs[0]['target']}: {'met' if mean <= TARGET else 'not met'} on the mean, "
                  f"on {sum(r['met'] for r in runs)} of {len(runs)} seeds. Each seed's sleeps, data and "
                  "validation scores: `sleep-cost-seed<K>.md`."]
    return "\n".join(lines) + "\n"


def write(result: dict, out: Path) -> str:
    """Write ``sleep-cost-seed<K>.json`` / ``.md`` into ``out`` and the summary ``sleep-cost.md`` over
    every seed there (notes below the marker kept); return the seed's page."""
    out.mkdir(parents=True, exist_ok=True)
    result.setdefault("command", "python -m sleep_agent_benchmarks.sleep_cost "
                                 f"--model {result['model']} --passes {result['passes']} --seed {result['seed']} --out docs")
    stem = out / f"sleep-cost-seed{result['seed']}"
    write_results(stem, result, f"What a sleep costs: a full window against two turns, seed {result['seed']}",
                  table, merge=False)
    write_seed_summary(out / "sleep-cost", "What a sleep costs: a full window against two turns", summary)
    return stem.with_suffix(".md").read_text()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--passes", type=int, default=2, help="sleep duration N (the agent's default: 2)")
    p.add_argument("--seed", type=int, default=7, help="the archive's seed (the demo's people)")
    p.add_argument("--out", default="docs")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    from sleep_agent import LocalChatModel

    rt = LocalChatModel(model_name=args.model).rt
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(rt, args.passes, args.seed, Path(tmp))
    result.update(model=args.model, machine=f"{platform.machine()}, {os.cpu_count()} CPU cores", commit=_commit(),
                  wall_seconds=round(time.perf_counter() - t0, 1))
    print(write(result, Path(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
