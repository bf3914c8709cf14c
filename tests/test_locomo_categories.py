"""benchmarks/locomo_categories.py on rows written for the test (no LoCoMo data, no model)."""

from __future__ import annotations

import json

from sleep_agent_benchmarks.locomo_categories import main, table, tally


def _row(task, strategy, seed, category, f1=None, correct=False, **extra):
    return {"family": "locomo", "task": task, "strategy": strategy, "passes": 1 if strategy == "sleep" else None,
            "seed": seed, "category": category, "f1": f1, "correct": correct, **extra}


ROWS = [
    _row("locomo-a", "sleep", 0, "temporal", 0.5, sleeps=3, sleep_seconds=90.0,
         sleep_verdicts=[{"verdict": "published"}, {"verdict": "refused"}, {"verdict": "published"}]),
    _row("locomo-a", "sleep", 0, "temporal", 0.0),
    _row("locomo-a", "sleep", 0, "adversarial", correct=True),
    _row("locomo-a", "vector", 0, "single-hop", 1.0),
    _row("locomo-b", "vector", 0, "single-hop", 0.25),
    {"family": "multihop", "task": "m", "strategy": "vector", "seed": 0, "category": "", "f1": None, "correct": True},
]


def test_conversations_are_kept_apart_and_each_category_averaged():
    cells = tally(ROWS)
    assert set(cells) == {("locomo-a", "sleep N=1", 0), ("locomo-a", "vector", 0), ("locomo-b", "vector", 0)}
    sleep = cells[("locomo-a", "sleep N=1", 0)]
    assert sleep["f1"]["temporal"] == [0.5, 0.0] and sleep["declined"] == [1.0] and sleep["sleeps"] == (3, 1, 90.0)
    text = table(cells)
    assert "| locomo-a | sleep N=1 | 0 | 0.250 (n=2) | - | 0.250 (n=2) |" in text and "1.00 (n=1) | 3 (1), 90.0 |" in text
    assert "| locomo-b | vector | 0 | 0.250 (n=1) | 0.250 (n=1) |" in text


def test_the_command_writes_the_table_and_the_plot(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert main([str(results), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "categories.png").stat().st_size > 1000
    assert "locomo-b" in (tmp_path / "out" / "categories.md").read_text()


def test_a_labelled_file_shows_its_sleep_rows_apart(tmp_path):
    """Two versions of the code, one file each: ``PATH=LABEL`` keeps their sleep rows in separate bars."""
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    before.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    after.write_text(json.dumps(_row("locomo-a", "sleep", 0, "temporal", 1.0)) + "\n")
    assert main([f"{before}=sleep, before", f"{after}=sleep, after", "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "categories.md").read_text()
    assert "| locomo-a | sleep, before | 0 | 0.250 (n=2) |" in text and "| locomo-a | sleep, after | 0 | 1.000 (n=1) |" in text
    assert "| locomo-a | vector | 0 |" in text  # other memories keep their names
