"""Plot two sets of retention runs side by side: the sleep's accuracy by hop and phrasing, over seeds.

``sleep-agent bench retention`` writes one ``retention-<model>-seed<K>.json`` per seed; this reads
every seed of two folders (say, the results before and after a change to the sleep data) and draws
the sleep row at one N as bars (mean over seeds) with the lowest-highest seed as the error bar, and
the chromadb rows of the newer folder (top-k, and with the sleep's derived notes) for reference.

Example::

    python -m sleep_agent_benchmarks.compare_retention docs/before-rephrase docs \\
        --labels "before rephrasing" "after" --out docs/retention-rephrase.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["bars", "main", "plot"]

CELLS = (("1hop", "template"), ("1hop", "natural"), ("2hop", "template"), ("2hop", "natural"))


def _runs(folder: Path, model: str) -> list[dict]:
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob(f"retention-{model}-seed*.json"))]
    if not runs:
        raise SystemExit(f"{folder}: no retention-{model}-seed*.json")
    return runs


def bars(runs: list[dict], pick) -> list[tuple[float, float, float]]:
    """(mean, lowest, highest) over ``runs`` of each cell of :data:`CELLS`; ``pick(run, hop)`` gives
    the run's score of that hop (``{"template": .., "natural": ..}``) or None (the run is left out)."""
    out = []
    for hop, style in CELLS:
        vals = [score[style] for r in runs if (score := pick(r, hop)) and score.get(style) is not None]
        out.append((sum(vals) / len(vals), min(vals), max(vals)) if vals else (float("nan"),) * 3)
    return out


def plot(folders: list[Path], labels: list[str], out: Path, *, model: str, passes: str = "1") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sleep = lambda r, hop: r.get("by_passes", {}).get(passes, {}).get(hop)  # noqa: E731
    series = [(label, bars(_runs(f, model), sleep), len(_runs(f, model))) for f, label in zip(folders, labels)]
    newest = _runs(folders[-1], model)
    series.append(("chromadb top-k", bars(newest, lambda r, hop: r.get(f"vector_{hop}")), len(newest)))
    series.append(("chromadb + derived notes (2-hop)", bars(newest, lambda r, hop: r.get(f"vector_notes_{hop}")),
                   len(newest)))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for i, (label, cells, seeds) in enumerate(series):
        xs = [j + i * width for j in range(len(CELLS))]
        means = [c[0] for c in cells]
        err = [[c[0] - c[1] for c in cells], [c[2] - c[0] for c in cells]]
        ax.bar(xs, means, width, yerr=err, capsize=3, label=f"{label} ({seeds} seeds)")
    ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(CELLS))])
    ax.set_xticklabels([f"{h.replace('hop', '-hop')}\n{s}" for h, s in CELLS])
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (bar: mean; line: lowest-highest seed)")
    ax.set_title(f"Retention, {model}: sleep N={passes} after one sleep, context cleared")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)  # below: bars reach 1.0
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path, help="folders of retention-<model>-seed*.json, oldest first")
    ap.add_argument("--labels", nargs="+", help="one per folder (default: the folder names)")
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--passes", default="1", help="the sleep row's N")
    ap.add_argument("--out", type=Path, required=True, help="the .png to write")
    args = ap.parse_args(argv)
    labels = args.labels or [str(f) for f in args.folders]
    if len(labels) != len(args.folders):
        ap.error("give one label per folder")
    plot(args.folders, labels, args.out, model=args.model, passes=args.passes)
    print(f"[wrote {args.out}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
