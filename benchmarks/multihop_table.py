"""The multihop family's table by question depth, over seeds, from eval ``results.jsonl`` files.

The harness's report pools a memory's rows; this one gives each cell as the mean over seeds with the
lowest-highest seed, by depth (1-, 2-, 4-hop), by question style, and the never-seen names declined,
so runs of one memory from different commits can sit in one table (``docs/eval-small-v3/multihop.md``).

    python -m sleep_agent_benchmarks.multihop_table "docs/eval-small-v3/in-context/results.jsonl::sleep N=2 (in-context)" ...

Each argument is ``PATH::LABEL`` or ``PATH::LABEL::STRATEGY`` (default strategy ``sleep``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from .suite_table import cell, spread

HEADER = ("| memory | seeds | all facts | 1-hop | 2-hop | 4-hop | template / natural | unknown declined |\n"
          "|---|---|---|---|---|---|---|---|")


def _cell(rows: list[dict], keep: Callable[[dict], bool]) -> str:
    """Mean over seeds of each seed's share right among ``rows`` it ``keep``s (lowest-highest)."""
    return cell(spread([r for r in rows if keep(r)]))


def row(rows: list[dict], label: str, strategy: str = "sleep") -> str:
    """One table row: ``rows`` (results.jsonl lines) of ``strategy`` on the multihop family."""
    rows = [r for r in rows if r["strategy"] == strategy and r["family"] == "multihop"]
    seeds = sorted({r["seed"] for r in rows})
    fact = lambda r: r["check"] != "decline"  # noqa: E731  (a never-seen name is not a fact)
    cells = [_cell(rows, fact)]
    cells += [_cell(rows, lambda r, d=d: fact(r) and r["depth"] == d) for d in (1, 2, 4)]
    cells.append(" / ".join(_cell(rows, lambda r, s=s: fact(r) and r["style"] == s)
                            for s in ("template", "natural")))
    cells.append(_cell(rows, lambda r: r["check"] == "decline"))
    return f"| {label} | {','.join(map(str, seeds))} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    print(HEADER)
    for arg in args:
        path, _, rest = arg.partition("::")
        label, _, strategy = rest.partition("::")
        rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
        print(row(rows, label or path, strategy or "sleep"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
