"""What one eval run (a task x a memory x N x a seed) returns, in either mode."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RunResult", "sleep_verdicts"]


def sleep_verdicts(reports: list[dict]) -> list[dict]:
    """Each sleep's verdict, from the sleep reports in a run's final state: ``published`` (a new
    adapter version went live), ``refused`` (validation kept the previous one; ``reasons`` say why) or
    ``skipped`` (nothing new to learn, nothing trained)."""
    out = []
    for i, r in enumerate(reports, 1):
        verdict = "skipped" if r.get("skipped") else "refused" if r.get("rejected") else "published"
        out.append({"sleep": r.get("sleep", i), "verdict": verdict, "version": r.get("version"),
                    "reasons": list(r.get("rejected") or []) or ([r["skipped"]] if r.get("skipped") else [])})
    return out


@dataclass
class RunResult:
    items: list[dict]                      # one per question
    sleeps: int = 0
    verdicts: list[dict] = field(default_factory=list)  # sleep_verdicts(): published / refused / skipped
    sleep_seconds: float = 0.0
    evictions: int = 0
    steps: list[dict] = field(default_factory=list)  # per fed turn: trajectory tokens so far, window tokens, s
    error: str | None = None
    agent: dict | None = None              # agent mode: steps, calls planned / made, tool errors, nudges
    checkpoints: list[dict] = field(default_factory=list)  # items asked mid-run (after_overflows = k)
    context_budget: int | None = None     # the budget the memory ran with (the task's, fitted; see scripted.py)
