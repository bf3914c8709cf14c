"""The demo's sleep lines say where each sleep's seconds went (fast, no model: the graph's ``sleeps``
state is written out as a sleep leaves it)."""

from __future__ import annotations

from sleep_agent.cli_demo import left_at_sleep, print_sleeps, sleep_reports

SLEEPS = [
    {"facts": 12, "version": 1, "loss_curve": [1.2, 0.5, 0.1], "rejected": [], "skipped": "",
     "seconds": {"dataset": 2.0, "self_study": 22.25, "train": 121.17, "validate": 16.73, "total": 162.57}},
    {"facts": 13, "version": 1, "loss_curve": [0.9, 0.2], "skipped": "",
     "rejected": ["general accuracy fell from 0.67 to 0.33"],
     "seconds": {"dataset": 0.1, "self_study": 13.0, "train": 200.0, "validate": 21.0, "total": 234.61}},
    {"facts": 0, "version": 1, "skipped": "nothing new to learn", "seconds": {"total": 0.05}},
]


def test_each_sleep_row_keeps_its_phases_and_steps():
    rows = sleep_reports(SLEEPS)
    assert rows[0] == {"facts": 12, "seconds": 162.57, "phases": {"self_study": 22.25, "train": 121.17, "validate": 16.73},
                       "steps": 3, "version": 1, "skipped": "", "rejected": []}
    assert rows[2]["steps"] == 0 and rows[2]["phases"] == {} and rows[2]["skipped"] == "nothing new to learn"


def test_the_printed_lines_split_the_seconds_and_give_the_outcome(capsys):
    print_sleeps(sleep_reports(SLEEPS))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("sleep 1: 12 facts, 162.57 s (self-study 22.2, training 121.2 for 3 steps, "
                        "validation 16.7), adapter v1")
    assert lines[1].endswith("not published (general accuracy fell from 0.67 to 0.33)")
    assert lines[2] == "sleep 3: 0 facts, 0.05 s, nothing trained (nothing new to learn)"


def test_left_at_sleep_reads_the_trajectory_files(tmp_path):
    first, second = tmp_path / "sleep-0001.jsonl", tmp_path / "sleep-0002.jsonl"
    first.write_text('{"content": "Record 2 of 7: Ana Lisk lives in Olvesby."}\n')
    second.write_text('{"content": "Record 1 of 7: Samor Fenkarin lives in Olvesby."}\n')
    sleeps = [{"trajectory_file": str(first)}, {"trajectory_file": str(second)}, {"trajectory_file": None}]
    assert left_at_sleep(sleeps, "Record 1 of 7: Samor Fenkarin") == 2
    assert left_at_sleep(sleeps, "Record 5 of 7") is None
