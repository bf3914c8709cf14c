"""`sleep-agent eval --suite smoke` end to end on a real model (smollm2-135m, the fast one): the sleep at
N = 1 against vector, window and floor, the table and the plots. (summary, full and vector+notes run
through the same runner in tests/test_evals.py on the tiny model; here they would add a third of the
test's time to CI's budget without testing another path. N = 1 alone: the N grid is the committed
eval reports' job.) CI runs it; accuracies are reported, not asserted (they belong to the committed
eval reports; the 135M model reads little from its context)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_smoke_suite_runs_sleep_against_baselines_and_writes_the_report(tmp_path):
    cmd = [sys.executable, "-m", "sleep_agent.cli", "eval", "--suite", "smoke", "--model", "smollm2-135m",
           "--strategies", "sleep,vector,window,floor", "--passes", "1", "--out", str(tmp_path), "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=2700)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(summary) == {"sleep N=1", "vector", "window", "floor"}
    assert all(s["runs"] == 4 for s in summary.values())  # one per task family
    # every row reports templated and natural questions, never-seen names, tool-call and cut replies
    assert all(s["natural"] == s["natural"] and s["unknown_declined"] == s["unknown_declined"]  # not NaN
               and 0 <= s["tool_calls"] <= 1 and 0 <= s["hit_budget"] <= 1 for s in summary.values())
    assert summary["window"]["tokens"] > summary["floor"]["tokens"]
    assert summary["sleep N=1"]["sleep_seconds"] > 0  # the smoke budget overflowed: the sleep ran
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert all(r["sleeps"] >= 1 for r in rows if r["strategy"] == "sleep"), "the smoke budget never overflowed"
    assert all(r["evictions"] > 0 for r in rows if r["strategy"] in ("vector", "window"))
    for f in ("results.jsonl", "report.md", "accuracy_vs_passes.png", "accuracy_by_family.png", "cost_per_step.png"):
        assert (tmp_path / f).stat().st_size > 0
    # resumable: a second invocation finds every run done and only rewrites the report
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "already in" in again.stderr
