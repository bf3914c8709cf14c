"""A suite's headline table and plot over seeds: every memory, every task family, mean (lowest-highest seed).

The harness's report (``evals/report.py``) pools a memory's rows and gives the spread only for the
overall figure; a suite run split into one command per seed and strategy set (each under an hour on 2
cores) also lands in several folders. This reads any number of ``results.jsonl`` files, keeps one row
per (run, question), and gives each cell as the mean over seeds of that seed's share right, with the
lowest-highest seed - the form #19 asks the headline tables to take - plus a bar plot whose whiskers
are that spread (``docs/eval-small-v3/suite.md``, ``suite.png``).

    python -m sleep_agent_benchmarks.suite_table --out docs/eval-small-v3/three-seeds/suite \\
        docs/eval-small-v3/three-seeds/results.jsonl "docs/eval-small-v3/capped/results.jsonl::capped"

A ``PATH::TAG`` argument labels that file's memories "sleep N=2 (TAG)": two versions of one memory
(two commits) side by side. Without a tag, files are pooled, and a run in two of them counts once.

Checkpoint answers (``after_overflows`` set: the first window asked right after the k-th overflow)
have their own columns, never-seen names only ``unknown declined``, as in the report. Where a memory's
seeds do not all cover the same families, its ``all facts`` cell is marked: that mean mixes tasks.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from sleep_agent_evals.report import label, order

__all__ = ["load", "spread", "cell", "table", "plot", "main"]


def load(paths: list[str | Path]) -> list[dict]:
    """Rows of every ``PATH`` or ``PATH::TAG``, one per (tag, run, question, checkpoint): a run copied
    into two untagged folders counts once."""
    rows, seen = [], set()
    for arg in paths:
        path, _, tag = str(arg).partition("::")
        for line in Path(path).read_text().splitlines():
            if line.strip():
                r = dict(json.loads(line), tag=tag)
                key = (tag, r["run"], r["question"], r.get("after_overflows"))
                if key not in seen:
                    seen.add(key)
                    rows.append(r)
    return rows


def spread(rows: list[dict]) -> tuple[float, float, float, list[int]] | None:
    """(mean over seeds, lowest seed, highest seed, seeds) of each seed's share right; None if no rows."""
    by_seed: dict[int, list[bool]] = defaultdict(list)
    for r in rows:
        by_seed[r["seed"]].append(bool(r["correct"]))
    if not by_seed:
        return None
    shares = [sum(v) / len(v) for _, v in sorted(by_seed.items())]
    return sum(shares) / len(shares), min(shares), max(shares), sorted(by_seed)


def cell(s) -> str:
    """A :func:`spread` as a table cell: "mean (lowest-highest)", the mean alone for one seed."""
    if s is None:
        return ""
    mean, lo, hi, seeds = s
    return f"{mean:.2f} ({lo:.2f}-{hi:.2f})" if len(seeds) > 1 else f"{mean:.2f}"


def _name(r: dict) -> str:
    return label(r) + (f" ({r['tag']})" if r.get("tag") else "")


def _groups(rows: list[dict]) -> dict[str, list[dict]]:
    """{memory name: its rows} in table order (the report's, a tagged version after its untagged one)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r.get("after_overflows") is None:
            groups[_name(r)].append(r)
    rank = {name: i for i, name in enumerate(order({label(rs[0]) for rs in groups.values()}))}
    return dict(sorted(groups.items(), key=lambda kv: (rank[label(kv[1][0])], kv[1][0].get("tag", ""))))


def _checkpoints(rows: list[dict]) -> list[int]:
    return sorted({r["after_overflows"] for r in rows if r.get("after_overflows") is not None})


def _cells(rs: list[dict], families: list[str]) -> dict:
    fact = [r for r in rs if r.get("check", "contains") != "decline"]
    return {"all": spread(fact),
            **{f: spread([r for r in fact if r["family"] == f]) for f in families},
            "2-hop": spread([r for r in fact if r["family"] == "multihop" and r.get("depth") == 2]),
            "unknown": spread([r for r in rs if r.get("check") == "decline"])}


def table(rows: list[dict]) -> str:
    """The markdown table: one line per memory, cells as mean (lowest-highest seed)."""
    groups = _groups(rows)
    families = sorted({r["family"] for r in rows})
    ks = _checkpoints(rows)
    head = ["memory", "seeds", "all facts", *families, "multihop 2-hop",
            *[f"first window after overflow {k}" for k in ks], "unknown declined",
            "sleeps (refused)", "tool-call replies"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in groups:
        rs = groups[name]
        c = _cells(rs, families)
        runs = {r["run"]: r for r in rs}
        sleeps = sum(r.get("sleeps", 0) for r in runs.values())
        refused = sum(r.get("sleeps_refused", 0) for r in runs.values())
        seeds = ",".join(map(str, sorted({r["seed"] for r in rs})))
        covered = {frozenset(r["family"] for r in rs if r["seed"] == s) for s in {r["seed"] for r in rs}}
        mixed = " (tasks differ by seed)" if len(covered) > 1 else ""
        asked = [r for r in rows if _name(r) == name and r.get("after_overflows") is not None]
        cells = [name, seeds, cell(c["all"]) + mixed, *[cell(c[f]) for f in families], cell(c["2-hop"]),
                 *[cell(spread([r for r in asked if r["after_overflows"] == k])) for k in ks], cell(c["unknown"]),
                 f"{sleeps} ({refused})" if name.startswith("sleep") else "", sum(bool(r.get("tool_call")) for r in rs)]
        lines.append("| " + " | ".join(str(x) for x in cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], out: Path) -> Path:
    """Bars of each memory's mean per family, whiskers from the lowest to the highest seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = _groups(rows)
    names = list(groups)
    families = sorted({r["family"] for r in rows})
    cols = [*families, "2-hop"]
    per_name = [_cells(groups[n], families) for n in names]
    fig, ax = plt.subplots(figsize=(max(7, len(names) * 1.1), 4.2))
    width = 0.8 / len(cols)
    for i, col in enumerate(cols):
        cells = [c[col] for c in per_name]
        xs = [x + i * width for x in range(len(names))]
        ys = [c[0] if c else 0.0 for c in cells]
        err = [[c[0] - c[1] if c else 0 for c in cells], [c[2] - c[0] if c else 0 for c in cells]]
        ax.bar(xs, ys, width, label=col if col != "2-hop" else "multihop, 2-hop only")
        ax.errorbar(xs, ys, yerr=err, fmt="none", ecolor="black", capsize=2, alpha=0.6)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=30, ha="right")
    ax.set(ylabel="accuracy, mean over seeds", ylim=(0, 1.05),
           title="Accuracy per memory and task family (whiskers: lowest to highest seed)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = out.with_suffix(".png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="results.jsonl files of eval runs, each PATH or PATH::TAG")
    ap.add_argument("--out", type=Path, default=None, help="write OUT.md (the table) and OUT.png; else print")
    args = ap.parse_args(argv)
    rows = load(args.files)
    if not rows:
        raise SystemExit("no rows in " + ", ".join(map(str, args.files)))
    md = table(rows)
    if args.out is None:
        print(md, end="")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(md)
    plot(rows, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
