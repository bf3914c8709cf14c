"""SIGKILL at 11 points of a sleep: the resumed thread loses no message and runs on a whole adapter.

An agent thread (tiny random model; a scripted policy calls ``read_record``, see
tests/crash_driver.py) has slept once (v0001 live) and is killed with SIGKILL inside its second sleep,
at one of these points (``sleep_agent.crashpoints``, armed by ``SLEEP_AGENT_CRASH_AT``):

 1. sleep_after_trajectory   the write-ahead trajectory file is written, nothing else
 2. sleep_after_dataset      the sleep data is built (dataset build done, training not started)
 3. train_first_step         after the first optimizer step
 4. train_mid                halfway through training
 5. sleep_after_validate     trained and validated, nothing saved (before save)
 6. adapter_save_partial     during save: some adapter files written into the .tmp-* folder
 7. publish_before_rename    after save: complete .tmp-* folder with manifest, before the rename
 8. publish_before_head      after the rename to v0002, before HEAD is rewritten
 9. sleep_after_publish      HEAD names v0002 and the runtime uses it; window not yet cleared
10. checkpoint_sleep_writes  during the checkpoint write of the cleared window (pending writes saved,
                             step checkpoint not)
11. wake                     right after wake: the first reply on v0002, not yet checkpointed

Runs use ``durability="sync"``, as the CLI does: under LangGraph's default ("async") this test lost
the tool result of the step that ran ahead of the save at point 10. After each kill a fresh process
resumes the thread. Checked: every tool result produced before the
kill (journaled by the tool itself) and every message ever checkpointed is in the resumed state or
in a trajectory file; the live adapter is v0001 for kills before the HEAD write and v0002 after,
its files match their manifest sha256 (recomputed here) and every published folder verifies; the
resumed run goes on, counts the interrupted sleep once, and replies only on verified versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sleep_agent.adapters import AdapterStore

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "crash_driver.py"
THREAD = "crash"

# point -> the adapter version that must be live after the kill (1: the previous, 2: the new one)
POINTS = {
    "sleep_after_trajectory": 1,
    "sleep_after_dataset": 1,
    "train_first_step": 1,
    "train_mid": 1,
    "sleep_after_validate": 1,
    "adapter_save_partial": 1,
    "publish_before_rename": 1,
    "publish_before_head": 1,
    "sleep_after_publish": 2,
    "checkpoint_sleep_writes": 2,
    "wake": 2,
}


def test_there_are_at_least_10_crash_points_and_each_is_in_the_library():
    assert len(POINTS) >= 10
    source = "\n".join(p.read_text() for p in (ROOT / "sleep_agent").rglob("*.py") if p.name != "crashpoints.py")
    for name in POINTS:
        assert source.count(f'crash_point("{name}")') == 1, name


def test_crash_point_kills_only_when_armed(tmp_path):
    # Loaded by path: importing the sleep_agent package would take seconds.
    load = ("import importlib.util as u, sys; s = u.spec_from_file_location('cp', sys.argv[1]); "
            "m = u.module_from_spec(s); s.loader.exec_module(m); m.crash_point('here'); print('alive')")
    path = str(ROOT / "sleep_agent" / "crashpoints.py")
    env = {k: v for k, v in os.environ.items() if k != "SLEEP_AGENT_CRASH_AT"}
    for armed, alive in [(None, True), ("elsewhere", True), ("here", False)]:
        run_env = dict(env, **({"SLEEP_AGENT_CRASH_AT": armed} if armed else {}))
        out = subprocess.run([sys.executable, "-c", load, path], env=run_env, capture_output=True, text=True)
        if alive:
            assert out.returncode == 0 and out.stdout.strip() == "alive", out.stderr
        else:
            assert out.returncode == -signal.SIGKILL and "alive" not in out.stdout


@pytest.fixture(scope="module")
def crash_runs(tiny_model_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    out = work / "results.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("SLEEP_AGENT_CRASH_AT", None)
    proc = subprocess.run([sys.executable, str(DRIVER), str(tiny_model_dir), str(work / "runs"), str(out),
                           *POINTS], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(out.read_text())
    assert results["setup"]["exit"] == 0, results["setup"].get("error")
    return work / "runs", results


def _nothing_lost(snapshot: dict, when: str) -> None:
    kept_text = {m["content"] for m in snapshot["messages"]} | {t["content"] for t in snapshot["trajectories"]}
    lost = [j for j in snapshot["journal"] if j not in kept_text]
    assert not lost, f"{when}: tool results lost: {lost}"
    kept_ids = {m["id"] for m in snapshot["messages"]} | {t["id"] for t in snapshot["trajectories"]}
    missing = set(snapshot["history_ids"]) - kept_ids
    assert not missing, f"{when}: checkpointed messages neither in the state nor in a trajectory: {missing}"
    assert snapshot["journal"], f"{when}: the journal is empty (the tool never ran?)"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_thread_survives_sigkill_at(point, crash_runs):
    runs, results = crash_runs
    r = results["points"][point]
    assert r["crash"]["signal"] == signal.SIGKILL, f"the crash point was never reached: {r['crash']}"
    assert r["resume"]["exit"] == 0, r["resume"].get("error")
    report = json.loads((runs / point / "resume.json").read_text())
    store = AdapterStore(THREAD, runs / point)

    # Right after the restart, before the resumed run does anything.
    restart = report["restart"]
    _nothing_lost(restart, "at restart")
    live = restart["latest"]
    assert live == POINTS[point], f"live adapter v{live}, expected v{POINTS[point]}"
    manifest = json.loads((store.version_path(live) / "manifest.json").read_text())
    for name, meta in manifest["files"].items():  # never a partial version: every byte as published
        assert _sha256(store.version_path(live) / name) == meta["sha256"], name
    leftovers = [d for d in restart["adapter_dirs"] if d.startswith(".tmp-")]
    if point in ("adapter_save_partial", "publish_before_rename"):
        assert leftovers, "the kill should have left the unpublished .tmp-* folder"
    if point == "publish_before_head":
        assert "v0002" in restart["adapter_dirs"], "the kill should have left the renamed v0002 behind HEAD"

    # The resumed run: two more steps, on published versions only.
    final = report["final"]
    _nothing_lost(final, "after resuming")
    assert final["steps"] == restart["steps"] + 2
    assert final["sleeps"] == list(range(1, len(final["sleeps"]) + 1)) and len(final["sleeps"]) >= 2
    # Every record is new (the script continues the thread's count), so every sleep trains and
    # publishes a new version, except the one redone after a kill that came when its version was
    # already published: it finds nothing new and trains nothing (never a second v0002).
    versions, skipped = final["sleep_versions"], final["sleep_skipped"]
    assert versions == sorted(versions)
    trained = [v for v, skip in zip(versions, skipped) if not skip]
    assert trained == sorted(set(trained)) and final["latest"] >= 2, (versions, skipped)
    assert skipped == [point == "sleep_after_publish" and i == 1 for i in range(len(skipped))], skipped
    assert final["latest"] == final["sleep_versions"][-1]
    for v in store.versions():
        store.verify(v)  # raises AdapterIntegrityError naming the file
    assert final["model_adapters"] and all(p and Path(p).parent == store.path for p in final["model_adapters"])
