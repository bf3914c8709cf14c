"""What one eval run (a task x a memory x N x a seed) returns, in either mode."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RunResult"]


@dataclass
class RunResult:
    items: list[dict]                      # one per question
    sleeps: int = 0
    sleep_seconds: float = 0.0
    evictions: int = 0
    steps: list[dict] = field(default_factory=list)  # per fed turn: trajectory tokens so far, window tokens, s
    error: str | None = None
    agent: dict | None = None              # agent mode: steps, calls planned / made, tool errors, nudges
    checkpoints: list[dict] = field(default_factory=list)  # items asked mid-run (after_overflows = k)
    context_budget: int | None = None     # the budget the memory ran with (the task's, fitted; see scripted.py)
