"""What ``sleep-agent demo`` reports: each sleep's outcome and where its seconds went, then the answer.

The demo's run itself is :func:`sleep_agent.cli.cmd_demo`; this module turns the graph's ``sleeps``
state into the rows ``--out`` records (benchmarks/demo_runs.py) and prints them. The seconds are split
by phase because the sleeps are the demo's run time (docs/demo.md): a user should see whether it went
to training, to self-study or to validation.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["sleep_reports", "left_at_sleep", "print_sleeps"]

PHASES = (("self_study", "self-study"), ("train", "training"), ("validate", "validation"))


def sleep_reports(sleeps: list[dict]) -> list[dict]:
    """One row per sleep of the thread's state: facts, seconds (total and per phase), steps, outcome."""
    rows = []
    for s in sleeps:
        seconds = s.get("seconds") or {}
        rows.append({"facts": s.get("facts"), "seconds": seconds.get("total"),
                     "phases": {key: seconds[key] for key, _ in PHASES if key in seconds},
                     "steps": len(s.get("loss_curve") or []), "version": s.get("version"),
                     "skipped": s.get("skipped") or "", "rejected": s.get("rejected") or []})
    return rows


def left_at_sleep(sleeps: list[dict], text: str) -> int | None:
    """The sleep whose write-ahead trajectory file holds ``text`` (a record's own words: the file
    also holds the pinned task, which names the person), if any."""
    for i, s in enumerate(sleeps, 1):
        path = s.get("trajectory_file")
        if path and Path(path).is_file() and text in Path(path).read_text(encoding="utf-8"):
            return i
    return None


def print_sleeps(reports: list[dict]) -> None:
    """``sleep 1: 12 facts, 162.6 s (self-study 22.3, training 121.2 for 86 steps, validation 16.7), adapter v1``."""
    for i, s in enumerate(reports, 1):
        outcome = (f"nothing trained ({s['skipped']})" if s["skipped"] else
                   f"not published ({'; '.join(s['rejected'])})" if s["rejected"] else f"adapter v{s['version']}")
        phases = s.get("phases") or {}
        split = ", ".join(f"{name} {phases[key]:.1f}" + (f" for {s['steps']} steps" if key == "train" else "")
                          for key, name in PHASES if phases.get(key) is not None)
        print(f"sleep {i}: {s['facts']} facts, {s['seconds']} s{f' ({split})' if split and not s['skipped'] else ''}, "
              f"{outcome}")
