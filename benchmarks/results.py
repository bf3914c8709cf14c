"""Write a benchmark's results as ``<stem>.json`` and ``<stem>.md``, keeping people's notes.

Every benchmark (``sleep-agent bench retention|perf``, ``benchmarks/decline_shots.py``) writes the
same layout: the JSON with the commands that produced it, and a markdown page with the commands, the
table, and whatever people wrote below :data:`NOTES_MARKER` (how to read the numbers), which survives
a rerun.

Example::

    >>> write_results(Path("docs") / "retention-qwen2.5-coder-0.5b", result, "Retention", format_table,
    ...               merge=False)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from sleep_agent.io_utils import atomic_write_bytes

__all__ = ["NOTES_MARKER", "write_results", "write_seed_summary"]

NOTES_MARKER = "<!-- notes below are kept when the benchmark rewrites this file -->"


def write_results(stem: Path, result: dict, title: str, table: Callable[[dict], str], merge: bool) -> dict:
    """Write ``stem``.json and .md (``table(result)`` renders the markdown); with ``merge``, earlier
    results keep the parts not rerun. Text below :data:`NOTES_MARKER` in the .md is kept."""
    js, md = stem.parent / f"{stem.name}.json", stem.parent / f"{stem.name}.md"  # names hold dots ("0.5b")
    if merge and js.is_file():  # redo some parts: merge into the last run
        earlier = json.loads(js.read_text())
        commands = earlier.pop("commands", [earlier.get("command")])
        result = {**earlier, **result, "commands": commands + [result["command"]]}
    result.setdefault("commands", [result["command"]])
    atomic_write_bytes(js, (json.dumps(result, indent=2) + "\n").encode())
    cmds = "\n".join(f"    {c}" for c in result["commands"])
    notes = md.read_text().partition(NOTES_MARKER)[2] if md.is_file() else ""
    body = f"# {title}\n\nProduced by:\n\n{cmds}\n\n{table(result)}\n{NOTES_MARKER}{notes or chr(10)}"
    atomic_write_bytes(md, body.encode())
    print(f"[wrote {stem}.json and {stem}.md]", file=sys.stderr)
    return result


def write_seed_summary(stem: Path, title: str, table: Callable[[list[dict]], str]) -> list[dict]:
    """Write ``stem``.md from every ``stem``-seed<K>.json next to it: the table over seeds (mean and
    lowest-highest), with each seed's command. Notes below :data:`NOTES_MARKER` are kept."""
    runs = [json.loads(p.read_text()) for p in sorted(stem.parent.glob(f"{stem.name}-seed*.json"))]
    if not runs:
        return []
    md = stem.parent / f"{stem.name}.md"
    cmds = "\n".join(f"    {c}" for r in runs for c in r.get("commands", [r.get("command")]))
    notes = md.read_text().partition(NOTES_MARKER)[2] if md.is_file() else ""
    body = (f"# {title}, {len(runs)} seed(s)\n\nProduced by:\n\n{cmds}\n\n{table(runs)}\n"
            f"{NOTES_MARKER}{notes or chr(10)}")
    atomic_write_bytes(md, body.encode())
    print(f"[wrote {md}]", file=sys.stderr)
    return runs
