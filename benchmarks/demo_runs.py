"""The demo's record over seeds: every `sleep-agent demo --out DIR` run, one row each, in DIR/demo.md.

Each run appends its summary (the JSON `sleep-agent demo --json` prints) to ``DIR/demo-runs.jsonl``;
the page is rewritten from all of them: per run the seed, the commit it ran, how the agent decoded (base model reading
the recollection, or the adapter on), the answer and the verdict, sleeps and their seconds, whether
record 1 left the window, and the run's wall time; then per mode the share of right answers.
Verdicts are read again with the current checker (:func:`sleep_agent.scoring.is_correct`) each time the
page is written, so old runs are scored as new ones are; a verdict that changed says what it was.
Notes written below :data:`~sleep_agent_benchmarks.results.NOTES_MARKER` survive a rewrite.

Example::

    >>> record_run(Path("docs"), summary)   # summary: what `sleep-agent demo --json` prints
    PosixPath('docs/demo.md')
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from sleep_agent.scoring import is_correct

from .results import NOTES_MARKER

__all__ = ["RUNS_FILE", "describe_machine", "format_runs", "record_run", "write_page"]

RUNS_FILE = "demo-runs.jsonl"
PAGE = "demo.md"


def _right(r: dict) -> bool:
    """The run's verdict by the current checker (the recorded one when the run has no answer to read)."""
    if r.get("answer") is None or not r.get("expected"):
        return bool(r.get("right"))
    return is_correct(r["answer"], r["expected"])


def _verdict(r: dict) -> str:
    now = "RIGHT" if _right(r) else "WRONG"
    return now if _right(r) == bool(r.get("right")) else f"{now} (recorded {'RIGHT' if r.get('right') else 'WRONG'})"


def _row(r: dict) -> str:
    sleeps = r.get("sleep_reports") or []
    trained = [s for s in sleeps if not s.get("skipped")]
    secs = ", ".join(f"{s.get('seconds', 0):.0f}" for s in trained) or "-"
    refused = sum(bool(s.get("rejected")) for s in sleeps)
    answer = " ".join((r.get("answer") or "").split())[:90].replace("|", "/") or "(none)"
    left = r.get("record1_left_at_sleep")
    return (f"| {r.get('seed')} | {r.get('commit') or '?'} | {r.get('mode')} | {r.get('records_read')} | {len(trained)}"
            f"{f' ({refused} refused)' if refused else ''} | {secs} | {left or 'never'} | {r.get('steps')} | "
            f"{r.get('seconds', 0):.0f} | {r.get('expected')} | {answer} | {_verdict(r)} |")


def format_runs(runs: Sequence[dict]) -> str:
    """The markdown table of ``runs`` and the right-answer share per mode and commit."""
    lines = ["| seed | code | agent decodes with | records | sleeps | sleep s | record 1 left at sleep | steps | "
             "run s | expected | answer | verdict |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(r) for r in runs]
    lines.append("")
    # One line per mode *and* code: pooled over commits, a change's runs would hide among older ones.
    for mode, commit in dict.fromkeys((r.get("mode"), r.get("commit") or "?") for r in runs):
        rows = [r for r in runs if r.get("mode") == mode and (r.get("commit") or "?") == commit]
        tested = [r for r in rows if r.get("record1_left_at_sleep")]
        secs = sorted(r.get("seconds", 0) for r in rows)
        lines.append(f"- **{mode}** on {commit}: {sum(_right(r) for r in rows)} of {len(rows)} right "
                     f"({sum(_right(r) for r in tested)} of {len(tested)} runs where record 1 left "
                     f"the window); run time {secs[0]:.0f}-{secs[-1]:.0f} s (mean {sum(secs) / len(secs):.0f}); sleeps "
                     f"{min(len(r.get('sleep_reports') or []) for r in rows)}-"
                     f"{max(len(r.get('sleep_reports') or []) for r in rows)}.")
    return "\n".join(lines) + "\n"


def describe_machine() -> str:
    """This machine in a few words: the GPU's name, or the CPU cores and whether they do bf16 natively
    (AMX / AVX512-BF16: the library then trains and decodes in bf16, else in fp32)."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    native = any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))
    return f"{os.cpu_count()} CPU cores, {'bf16' if native else 'fp32 (no native bf16)'}"


def _commit(out: Path) -> str:
    """The checkout's commit (short), with "+" when tracked files other than the demo's own records
    in ``out`` differ from it; "" outside a git checkout."""
    here = Path(__file__).parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=here, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "diff", "--name-only", "HEAD"], capture_output=True, text=True,
                                 cwd=here, timeout=10).stdout.split()
        top = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                                  cwd=here, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return ""
    records = {(out / RUNS_FILE).resolve(), (out / PAGE).resolve()}
    dirty = [f for f in changed if (top / f).resolve() not in records]
    return head + ("+" if head and dirty else "")


def write_page(out: Path) -> Path:
    """Rewrite ``out``/demo.md from every run in ``out``/demo-runs.jsonl (notes below the marker kept)."""
    runs = [json.loads(line) for line in (out / RUNS_FILE).read_text().splitlines() if line.strip()]
    page = out / PAGE
    notes = page.read_text().partition(NOTES_MARKER)[2] if page.is_file() else ""
    machines = ", ".join(dict.fromkeys(r.get("machine", "?") for r in runs))
    body = ("# The demo over seeds\n\nProduced by (one run per seed; `--act-with-adapter` for the other mode):\n\n"
            "    sleep-agent demo --seed K --out docs [--act-with-adapter]\n\n"
            f"Machine: {machines}. Default model, 7 records, budget 680 tokens.\n\n"
            f"{format_runs(runs)}\n{NOTES_MARKER}{notes or chr(10)}")
    page.write_text(body, encoding="utf-8")
    return page


def record_run(out: Path, summary: dict, *, machine: str | None = None) -> Path:
    """Append ``summary`` (with ``machine``: :func:`describe_machine` unless given) to
    ``out``/demo-runs.jsonl and rewrite ``out``/demo.md."""
    out.mkdir(parents=True, exist_ok=True)
    machine = machine or describe_machine()
    with open(out / RUNS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps({"commit": _commit(out), **summary, "machine": machine}) + "\n")
    return write_page(out)
