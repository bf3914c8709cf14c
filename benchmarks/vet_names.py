"""Vet the ordinary never-seen names against the base model: none may be one it knows.

For each name in :mod:`sleep_agent_evals.unknown_names` (and for the famous yardstick names), the
base model's surprisal of the name's tokens after the first, read in a plain question ("Who is X?",
"What is X?"; :func:`sleep_agent.consolidation.familiar.name_surprisal`). A known name is nearly
certain once it has started (famous names: a few nats); a name scoring no higher than the highest
famous one would be one the model knows, and is reported as to drop. Names above the familiarity
threshold (:data:`~sleep_agent.consolidation.familiar.UNFAMILIAR_NATS`) are counted too: those the
familiarity check would decline by itself, which the realistic names are meant to avoid.

Usage::

    python -m sleep_agent_benchmarks.vet_names --model qwen2.5-coder-0.5b --out docs
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sleep_agent import DEFAULT_MODEL, LocalRuntime  # noqa: E402
from sleep_agent.consolidation.familiar import UNFAMILIAR_NATS, name_surprisal  # noqa: E402
from sleep_agent_evals.unknown_names import COMPANIES, FAMOUS, PEOPLE  # noqa: E402

from .results import write_results  # noqa: E402

__all__ = ["vet", "main"]


def _surprisal(runtime, name: str, person: bool) -> float:
    text = f"{'Who' if person else 'What'} is {name}?"
    found = dict(name_surprisal(runtime, text))
    return found.get(name, max(found.values(), default=0.0))


def vet(runtime) -> dict:
    with runtime.adapter_disabled():
        famous = {n: _surprisal(runtime, n, " " in n and n not in ("Mona Lisa", "General Motors")) for n in FAMOUS}
        people = {n: _surprisal(runtime, n, True) for n in PEOPLE}
        companies = {n: _surprisal(runtime, n, False) for n in COMPANIES}
    bar = max(famous.values())
    candidates = {**people, **companies}
    return {"model": runtime.info.name if runtime.info else "?", "famous": famous, "people": people,
            "companies": companies, "famous_max": bar,
            "drop": sorted(n for n, v in candidates.items() if v <= bar),
            "unfamiliar_by_threshold": sorted(n for n, v in candidates.items() if v > UNFAMILIAR_NATS)}


def format_table(r: dict) -> str:
    rows = ["| name | kind | surprisal (nats) |", "|---|---|---|"]
    rows += [f"| {n} | famous (yardstick) | {v} |" for n, v in r["famous"].items()]
    rows += [f"| {n} | person | {v} |" for n, v in r["people"].items()]
    rows += [f"| {n} | company | {v} |" for n, v in r["companies"].items()]
    return ("\n".join(rows) + f"\n\nHighest famous name: {r['famous_max']} nats. To drop (no more surprising "
            f"than a famous name): {', '.join(r['drop']) or 'none'}. Declined by the familiarity check "
            f"alone (above {UNFAMILIAR_NATS} nats): {', '.join(r['unfamiliar_by_threshold']) or 'none'}.\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=None, help="write unknown-names.json/.md here")
    args = ap.parse_args(argv)
    runtime = LocalRuntime.load(args.model, log=lambda *_: None)
    result = vet(runtime)
    result["command"] = f"python -m sleep_agent_benchmarks.vet_names --model {args.model}" + (
        f" --out {args.out}" if args.out else "")
    if args.out:
        write_results(args.out / "unknown-names", result, "Ordinary never-seen names, vetted", format_table,
                      merge=False)
    print(json.dumps(result) if not args.out else format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
