"""Driver of tests/test_crash_safety.py: crash an agent thread mid-sleep with SIGKILL, then resume it.

    python tests/crash_driver.py MODEL_DIR WORK_DIR OUT_JSON POINT [POINT ...]

The process loads the tiny model once and then forks one child per run, so each run is a separate
process that shares nothing with the others but the files (forking saves ~5 s of imports and
loading per run; the parent never runs a graph, so no lock or thread is copied into a child):

1. setup child: a thread reads records with a scripted policy through its first sleep (v0001
   published) and stops just before its second (``interrupt_before=["sleep"]``). The data folder
   is the snapshot.
2. for each point: a copy of the snapshot; a *crash* child continues the thread with
   ``SLEEP_AGENT_CRASH_AT=<point>`` and is SIGKILLed inside sleep 2; a *resume* child (no crash
   point) reads what is on disk, then continues the thread for two more steps.

Every tool result is appended (fsynced) to ``journal.txt`` by the tool itself when it is produced,
so the test can check that none was lost. The resume child writes ``resume.json``; the test reads it
and the files and makes the assertions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import traceback
import uuid
from pathlib import Path

os.environ.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")
sys.path.insert(0, str(Path(__file__).resolve().parent))            # scripted_model
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))     # tools, sleep_agent

THREAD = "crash"
CONFIG = {"configurable": {"thread_id": THREAD}}
# Budget 400 with one kept turn: the first sleep comes after 3 records, and from then on every step
# sleeps (the wake note grows), so sleep 2 starts right after the run is continued.
# Validation off: the tiny random model can answer none of its new facts back, and a sleep that
# learned nothing askable is refused (consolidation.validation.judge); this test needs published versions.
SETTINGS = {"context_budget": 400, "keep_last_turns": 1, "sleep": {"passes": 1, "validate": False}}
TASK = "Read the archive records one by one with read_record."
# "sync": each step's writes are on disk before the next step starts. Under langgraph's default
# ("async") the next step runs while the last one is still being saved, so a kill can lose the
# tool results of the step that ran ahead (this test found that; see sleep_agent.graph.build).
DURABILITY = "sync"


def _journal(data: Path, text: str) -> None:
    with open(data / "journal.txt", "a") as f:
        f.write(json.dumps(text) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _reads(data: Path) -> int:
    path = data / "journal.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def _graph(rt, data: Path, *, interrupt_after=None, interrupt_before=None):
    from langchain_core.tools import StructuredTool

    from scripted_model import ScriptedChatModel
    from sleep_agent import build_agent, sqlite_checkpointer
    from sleep_agent_tools import RecordArchive

    people = RecordArchive(seed=3, size=12).people

    def read_record(n: int) -> tuple[str, dict]:
        """Read record n (1-12) of the archive."""
        p = people[(n - 1) % len(people)]
        # A receipt makes every result unique, so a lost one cannot hide behind an equal one.
        text = f"Record {n}: {p.name} lives in {p.city} and works as a {p.job}. (receipt {uuid.uuid4().hex[:10]})"
        _journal(data, text)
        return text, {"name": p.name, "city": p.city, "job": p.job}

    tool = StructuredTool.from_function(read_record, response_format="content_and_artifact")
    # The next record continues the thread's own count (journaled reads), not this process's call
    # count: a restarted process re-reading record 1 would give a sleep with nothing new to learn.
    llm = ScriptedChatModel.from_runtime(
        rt, script=lambda prompt, n: json.dumps({"name": "read_record", "arguments": {"n": _reads(data) % 12 + 1}}))
    graph = build_agent(llm, [tool], data_dir=data, recall=False, settings=SETTINGS).compile(
        checkpointer=sqlite_checkpointer(data / "checkpoints.sqlite"),
        interrupt_after=interrupt_after, interrupt_before=interrupt_before)
    return graph, llm


def _messages(values: dict) -> list[dict]:
    from sleep_agent.models.messages import content_text

    return [{"id": m.id, "type": m.type, "content": content_text(m.content)} for m in values.get("messages", [])]


def _history_ids(graph) -> list[str]:
    return sorted({m.id for snap in graph.get_state_history(CONFIG) for m in snap.values.get("messages", [])})


def _trajectories(data: Path) -> list[dict]:
    from sleep_agent import read_trajectory
    from sleep_agent.models.messages import content_text

    out = []
    for path in sorted((data / "threads" / THREAD / "trajectory").glob("sleep-*.jsonl")):
        out += [{"id": m.id, "content": content_text(m.content), "file": path.name} for m in read_trajectory(path)]
    return out


def setup(rt, data: Path) -> None:
    """Run the thread through sleep 1 (v0001 published) and stop just before sleep 2 starts."""
    graph, _ = _graph(rt, data, interrupt_after=["sleep"])
    graph.invoke({"messages": [("user", TASK)]}, CONFIG, context={"max_steps": 20}, durability=DURABILITY)
    graph, _ = _graph(rt, data, interrupt_before=["sleep"])
    graph.invoke(None, CONFIG, context={"max_steps": 20}, durability=DURABILITY)
    snap = graph.get_state(CONFIG)
    assert len(snap.values.get("sleeps", [])) == 1 and snap.next == ("sleep",), (snap.next, snap.values.get("sleeps"))


def crash(rt, data: Path, point: str) -> None:
    os.environ["SLEEP_AGENT_CRASH_AT"] = point
    graph, _ = _graph(rt, data)
    steps = graph.get_state(CONFIG).values["steps"]
    graph.invoke(None, CONFIG, context={"max_steps": steps + 3}, durability=DURABILITY)  # returns only if the point was never reached


def resume(rt, data: Path) -> None:
    from sleep_agent import AdapterStore

    graph, llm = _graph(rt, data)
    snap = graph.get_state(CONFIG)
    store = AdapterStore(THREAD, data)
    latest = store.latest()  # verifies sha256, rolls back past a damaged version
    if latest is not None:
        rt.activate_adapter(latest.path)  # the version must load, not only verify
    report = {
        "restart": {
            "next": list(snap.next), "steps": snap.values["steps"], "sleeps": len(snap.values.get("sleeps", [])),
            "messages": _messages(snap.values), "history_ids": _history_ids(graph),
            "trajectories": _trajectories(data),
            "journal": [json.loads(line) for line in (data / "journal.txt").read_text().splitlines()],
            "latest": latest.version if latest else None, "head_events": store.events,
            "adapter_dirs": sorted(os.listdir(store.path)),
        },
    }
    state = graph.invoke(None, CONFIG, context={"max_steps": snap.values["steps"] + 2}, durability=DURABILITY)
    latest = AdapterStore(THREAD, data).latest()
    report["final"] = {
        "steps": state["steps"], "sleeps": [s["sleep"] for s in state.get("sleeps", [])],
        "sleep_versions": [s["version"] for s in state.get("sleeps", [])],
        "sleep_skipped": [bool(s.get("skipped")) for s in state.get("sleeps", [])],
        "messages": _messages(state), "history_ids": _history_ids(graph), "trajectories": _trajectories(data),
        "journal": [json.loads(line) for line in (data / "journal.txt").read_text().splitlines()],
        "latest": latest.version if latest else None,
        "model_adapters": [c["adapter"] for c in llm.calls],  # the adapter each resumed reply ran on
    }
    (data / "resume.json").write_text(json.dumps(report))


def _in_child(fn, *args) -> dict:
    """Run ``fn`` in a forked child; how it ended (exit code or signal) and its error text."""
    err = Path(args[1]) / f".{fn.__name__}.err"
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            fn(*args)
        except BaseException:
            err.write_text(traceback.format_exc())
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    out = {"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
           "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}
    if err.exists():
        out["error"] = err.read_text()[-3000:]
    return out


def main(model_dir: str, work: str, out_json: str, points: list[str]) -> None:
    import threading

    import torch
    import tqdm

    torch.set_num_threads(1)
    tqdm.tqdm.monitor_interval = 0  # no tqdm monitor thread: the parent forks
    from sleep_agent import LocalRuntime
    from sleep_agent.models.compute_thread import THREAD_NAME

    rt = LocalRuntime.load(model_dir, device="cpu", log=lambda *_: None)

    def others() -> list:
        # The runtime's compute thread waits on an empty queue holding nothing, and a forked child
        # starts its own (compute_thread._forget_thread); any other thread could hold a lock.
        return [t for t in threading.enumerate() if t is not threading.main_thread() and t.name != THREAD_NAME]

    deadline = time.perf_counter() + 10
    while others() and time.perf_counter() < deadline:
        time.sleep(0.05)  # a weight-loader thread may still be exiting (seen once, under a busy CPU)
    assert not others(), f"forking needs a parent without threads: {threading.enumerate()}"
    work_dir = Path(work)
    base = work_dir / "base"
    base.mkdir(parents=True)
    results = {"setup": _in_child(setup, rt, base), "points": {}}
    if results["setup"]["exit"] == 0:
        for point in points:
            data = work_dir / point
            shutil.copytree(base, data)
            t0 = time.perf_counter()
            r = {"crash": _in_child(crash, rt, data, point)}
            r["resume"] = _in_child(resume, rt, data)
            r["seconds"] = round(time.perf_counter() - t0, 1)
            results["points"][point] = r
    Path(out_json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    assert signal.SIGKILL  # POSIX only
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
