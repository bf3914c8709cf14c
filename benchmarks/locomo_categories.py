"""LoCoMo results per conversation and category: a markdown table and a grouped bar plot.

The eval report (``sleep-agent eval --locomo ...``) pools every conversation of a run folder into one
per-category table. This splits them: for each conversation, memory and seed, the mean token F1 of
the answerable questions per category and the share of adversarial questions declined, plus each
sleep run's sleeps, refusals and seconds. The plot shows F1 per category, one panel per conversation,
the mean over seeds as bars and the lowest-highest seed as error bars.

    python -m sleep_agent_benchmarks.locomo_categories OUT/results.jsonl [more.jsonl] --out docs/locomo
    python -m sleep_agent_benchmarks.locomo_categories A/results.jsonl="sleep N=2, before" B/results.jsonl="sleep N=2, after"

A file named ``PATH=LABEL`` shows its sleep rows under ``LABEL``: runs of two versions of the code side by side.

Writes ``categories.md`` and ``categories.png`` (no question text: LoCoMo is CC BY-NC).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

__all__ = ["CATEGORIES", "main", "plot", "table", "tally"]

CATEGORIES = ("single-hop", "temporal", "multi-hop", "open-domain")  # answerable, scored by F1


def _memory(row: dict) -> str:
    if row["strategy"] == "sleep":
        return row.get("label") or f"sleep N={row['passes']}"
    return row["strategy"]


def tally(rows: list[dict]) -> dict[tuple[str, str, int], dict]:
    """(conversation task, memory, seed) -> {"f1": {category: [scores]}, "declined": [0/1], "sleeps": ...}."""
    out: dict[tuple[str, str, int], dict] = defaultdict(lambda: {"f1": defaultdict(list), "declined": []})
    for r in rows:
        if r.get("family") != "locomo":
            continue
        cell = out[(r["task"], _memory(r), r["seed"])]
        if r["category"] == "adversarial":
            cell["declined"].append(1.0 if r["correct"] else 0.0)
        else:
            cell["f1"][r["category"]].append(float(r.get("f1") or 0.0))
            cell["f1"]["all"].append(float(r.get("f1") or 0.0))
        if r["strategy"] == "sleep" and r.get("sleep_verdicts") is not None:  # the run's first row carries its sleeps
            cell["sleeps"] = (r["sleeps"], sum(v["verdict"] == "refused" for v in r["sleep_verdicts"]),
                              r["sleep_seconds"])
    return out


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def table(cells: dict) -> str:
    head = ["conversation", "memory", "seed", "F1 all", *CATEGORIES, "adversarial declined", "sleeps (refused), s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (task, memory, seed), c in sorted(cells.items()):
        scores = [c["f1"].get(k, []) for k in ("all", *CATEGORIES)]
        shown = [f"{_mean(s):.3f} (n={len(s)})" if s else "-" for s in scores]
        declined = f"{_mean(c['declined']):.2f} (n={len(c['declined'])})" if c["declined"] else "-"
        sleeps = "{} ({}), {}".format(*c["sleeps"]) if "sleeps" in c else ""
        lines.append(f"| {task} | {memory} | {seed} | " + " | ".join(shown) + f" | {declined} | {sleeps} |")
    return "\n".join(lines) + "\n"


def plot(cells: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = sorted({t for t, _, _ in cells})
    memories = sorted({m for _, m, _ in cells}, key=lambda m: (not m.startswith("sleep"), m))
    fig, axes = plt.subplots(1, len(tasks), figsize=(6 * len(tasks), 4), squeeze=False, sharey=True)
    width = 0.8 / max(1, len(memories))
    for ax, task in zip(axes[0], tasks):
        for i, memory in enumerate(memories):
            per_seed = [c for (t, m, _), c in cells.items() if t == task and m == memory]
            means, lo, hi = [], [], []
            for k in ("all", *CATEGORIES):
                vals = [_mean(c["f1"][k]) for c in per_seed if c["f1"].get(k)]
                mean = sum(vals) / len(vals) if vals else 0.0
                means.append(mean)
                lo.append(mean - min(vals) if vals else 0.0)
                hi.append(max(vals) - mean if vals else 0.0)
            xs = [j + i * width for j in range(len(means))]
            ax.bar(xs, means, width, yerr=[lo, hi], label=memory, capsize=2)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(1 + len(CATEGORIES))], ["all", *CATEGORIES], rotation=20)
        ax.set_title(task)
    axes[0][0].set_ylabel("token F1")
    fig.suptitle("LoCoMo token F1 per category: mean over seeds, error bars the lowest-highest seed", fontsize=10)
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", nargs="+", help="results.jsonl files of `sleep-agent eval --locomo` runs "
                                              "(PATH=LABEL: its sleep rows shown as LABEL)")
    p.add_argument("--out", default="docs/locomo")
    args = p.parse_args(argv)
    rows = []
    for arg in args.results:
        path, _, label = arg.partition("=")
        rows += [{**json.loads(line), **({"label": label} if label else {})}
                 for line in Path(path).read_text().splitlines() if line.strip()]
    cells = tally(rows)
    if not cells:
        raise SystemExit(f"no LoCoMo rows in {', '.join(args.results)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "categories.md").write_text(table(cells))
    plot(cells, out / "categories.png")
    print(table(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
