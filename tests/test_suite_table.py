"""The suite table over seeds (benchmarks/suite_table.py): cells, de-duplication, checkpoints, plot."""

import json

from sleep_agent_benchmarks import suite_table


def _row(seed, family, correct, *, strategy="sleep", question=None, after=None, check="contains", depth=None):
    run = f"{family}-{seed}|{strategy}|2|{seed}"
    return {"run": run, "task": f"{family}-{seed}", "family": family, "strategy": strategy,
            "passes": 2 if strategy == "sleep" else None, "seed": seed, "correct": correct,
            "question": question or f"q{len(run)}-{correct}-{after}-{depth}-{check}", "after_overflows": after,
            "check": check, "depth": depth, "sleeps": 2, "sleeps_refused": 1}


def _write(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


def test_cells_are_means_over_seeds_with_the_spread_and_runs_count_once(tmp_path):
    seed0 = [_row(0, "multihop", True, question="a", depth=1), _row(0, "multihop", True, question="b", depth=2)]
    seed1 = [_row(1, "multihop", True, question="a", depth=1), _row(1, "multihop", False, question="b", depth=2)]
    a = _write(tmp_path, "a.jsonl", seed0 + seed1)
    b = _write(tmp_path, "b.jsonl", seed1)  # the same run copied into a second folder
    rows = suite_table.load([a, b])
    assert len(rows) == 4
    md = suite_table.table(rows)
    line = next(x for x in md.splitlines() if x.startswith("| sleep N=2"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == "0,1"
    assert cells[2] == "0.75 (0.50-1.00)"      # all facts: seed 0 2/2, seed 1 1/2
    assert cells[4] == "0.50 (0.00-1.00)"      # 2-hop only
    assert cells[-2] == "4 (2)"                # two runs, each 2 sleeps with 1 refused


def test_checkpoints_and_unknown_names_have_their_own_columns_and_mixed_tasks_are_marked(tmp_path):
    rows = [_row(0, "recall", True, question="r"), _row(0, "recall", False, question="r", after=2),
            _row(0, "recall", True, question="r", after=4), _row(0, "recall", True, question="u", check="decline"),
            _row(1, "multihop", False, question="m", depth=1),
            _row(0, "recall", False, question="w", strategy="window")]
    md = suite_table.table(suite_table.load([_write(tmp_path, "r.jsonl", rows)]))
    head = [c.strip() for c in md.splitlines()[0].strip("|").split("|")]
    assert "first window after overflow 2" in head and "first window after overflow 4" in head
    sleep = dict(zip(head, [c.strip() for c in md.splitlines()[2].strip("|").split("|")]))
    assert sleep["first window after overflow 2"] == "0.00"
    assert sleep["first window after overflow 4"] == "1.00"
    assert sleep["recall"] == "1.00"           # the end-of-run answer only, not the checkpoints
    assert sleep["unknown declined"] == "1.00"
    assert sleep["all facts"].endswith("(tasks differ by seed)")
    window = dict(zip(head, [c.strip() for c in md.splitlines()[3].strip("|").split("|")]))
    assert window["memory"] == "window" and window["recall"] == "0.00" and window["sleeps (refused)"] == ""


def test_main_writes_the_table_and_a_plot(tmp_path):
    src = _write(tmp_path, "x.jsonl", [_row(s, "updates", s == 0, question="q") for s in (0, 1, 2)])
    assert suite_table.main([str(src), "--out", str(tmp_path / "out" / "suite")]) == 0
    assert "0.33 (0.00-1.00)" in (tmp_path / "out" / "suite.md").read_text()
    assert (tmp_path / "out" / "suite.png").read_bytes()[:4] == b"\x89PNG"


def test_a_tagged_file_is_a_second_version_of_the_memory_next_to_the_first(tmp_path):
    old = _write(tmp_path, "old.jsonl", [_row(0, "recall", False, question="q"),
                                         _row(0, "recall", True, question="w", strategy="window")])
    new = _write(tmp_path, "new.jsonl", [_row(0, "recall", True, question="q")])
    md = suite_table.table(suite_table.load([old, f"{new}::capped"]))
    names = [line.split("|")[1].strip() for line in md.splitlines()[2:]]
    assert names == ["sleep N=2", "sleep N=2 (capped)", "window"]
    assert "| sleep N=2 (capped) | 0 | 1.00 |" in md and "| sleep N=2 | 0 | 0.00 |" in md
