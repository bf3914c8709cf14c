"""The demo's record over seeds (benchmarks/demo_runs.py): each `sleep-agent demo --out DIR` run adds a
row, the page sums up each mode, and notes written below the marker survive a rewrite (fast, no model)."""

from __future__ import annotations

import json

from sleep_agent_benchmarks.demo_runs import RUNS_FILE, record_run
from sleep_agent_benchmarks.results import NOTES_MARKER


def _summary(seed: int, right: bool, mode: str = "base + recollection") -> dict:
    return {"seed": seed, "mode": mode, "records_read": 7, "steps": 9, "seconds": 316.2, "expected": "Olvesby",
            "answer": "Samor Fenkarin lives in Olvesby." if right else "The archive | holds 7 records.",
            "right": right, "record1_left_at_sleep": 1,
            "sleep_reports": [{"facts": 16, "seconds": 122.5, "version": 1, "skipped": "", "rejected": []},
                              {"facts": 12, "seconds": 150.4, "version": 1, "skipped": "",
                               "rejected": ["general accuracy fell from 0.50 to 0.17"]},
                              {"facts": 0, "seconds": 0.1, "version": 1, "skipped": "nothing new", "rejected": []}]}


def _share(text: str, mode: str) -> str:
    """The right-answer share the page's summary line gives ``mode`` (one line per mode and commit)."""
    line = next(line for line in text.splitlines() if line.startswith(f"- **{mode}** on "))
    return line.split(": ", 1)[1].split(" (", 1)[0]


def test_summary_lines_are_per_mode_and_commit(tmp_path):
    from sleep_agent_benchmarks.demo_runs import format_runs

    runs = [{**_summary(0, True), "commit": "aaa1111"}, {**_summary(1, False), "commit": "bbb2222"},
            {**_summary(2, True), "commit": "bbb2222", "seconds": 400.0}]
    text = format_runs(runs)
    assert "- **base + recollection** on aaa1111: 1 of 1 right" in text
    assert "- **base + recollection** on bbb2222: 1 of 2 right" in text and "(mean 358)" in text


def test_each_run_adds_a_row_and_the_page_sums_up_each_mode(tmp_path):
    page = record_run(tmp_path, _summary(0, True), machine="2 CPU cores, bf16")
    page.write_text(page.read_text() + "Seed 0 was run alone on the cores.\n")
    record_run(tmp_path, _summary(1, False), machine="2 CPU cores, bf16")
    record_run(tmp_path, _summary(0, False, "adapter on"), machine="2 CPU cores, bf16")
    text = page.read_text()
    assert len((tmp_path / RUNS_FILE).read_text().splitlines()) == 3
    rows = [line for line in text.splitlines() if line.startswith("| 0 |") or line.startswith("| 1 |")]
    assert len(rows) == 3
    assert "| 2 (1 refused) | 122, 150 |" in rows[0] and rows[0].startswith("| 0 | ")  # the skipped sleep is not counted as one that trained
    assert rows[1].endswith("| WRONG |") and "The archive / holds" in rows[1]  # a '|' in a reply cannot break the table
    assert _share(text, "base + recollection") == "1 of 2 right" and _share(text, "adapter on") == "0 of 1 right"
    assert text.split(NOTES_MARKER)[1].strip() == "Seed 0 was run alone on the cores."
    assert json.loads((tmp_path / RUNS_FILE).read_text().splitlines()[0])["machine"] == "2 CPU cores, bf16"


def test_old_runs_are_scored_again_with_the_current_checker(tmp_path):
    # Recorded right by the checker of the time: an echo of the recollection block holding the city.
    echo = {**_summary(21, True, "adapter on"), "answer": "<recollection>\nThe city of Samor Fenkarin is Olvesby.\n"}
    page = record_run(tmp_path, echo, machine="2 CPU cores, bf16")
    record_run(tmp_path, _summary(20, True, "adapter on"), machine="2 CPU cores, bf16")
    text = page.read_text()
    assert "| WRONG (recorded RIGHT) |" in text and _share(text, "adapter on") == "1 of 2 right"
