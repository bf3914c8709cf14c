"""`sleep-agent demo` prints what happened (issue 21): the answer next to the expected one, each
sleep's outcome, and whether record 1 left the window (so the run tested memory at all). On main
before this the demo printed only the verdict and the expected city, and after a run that ended
without a reply no answer appeared anywhere. Tiny random model (plumbing only): it calls no tool,
so nothing sleeps and the demo must say that memory was not tested."""

from __future__ import annotations

import os
import subprocess
import sys


def _demo(tiny_model_dir, tmp_path, *extra):
    env = {**os.environ, "SLEEP_AGENT_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "sleep_agent.cli", "demo", "--model", str(tiny_model_dir), "--records", "2", *extra]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def test_demo_prints_the_answer_the_expected_city_and_whether_memory_was_tested(tiny_model_dir, tmp_path):
    done = _demo(tiny_model_dir, tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]  # no sleep: the demo did not do its job
    lines = done.stdout.splitlines()
    assert any(ln.startswith("answer:   ") for ln in lines)
    verdict = next(ln for ln in lines if ln.startswith("expected: "))
    assert verdict.endswith(("The answer is RIGHT.", "The answer is WRONG."))
    assert any("never left the window: this run did not test memory" in ln for ln in lines)
