"""benchmarks/compare_retention.py: mean and spread over seeds per hop and phrasing, and the plot."""

from __future__ import annotations

import json
import math

from sleep_agent_benchmarks.compare_retention import bars, main


def _run(seed, t1, n1, t2, n2):
    return {"seed": seed, "by_passes": {"1": {"1hop": {"template": t1, "natural": n1},
                                              "2hop": {"template": t2, "natural": n2}}},
            "vector_1hop": {"template": 0.7, "natural": 0.8}, "vector_2hop": {"template": 0.2, "natural": 0.1}}


def test_bars_give_mean_lowest_highest_per_cell_and_skip_runs_without_the_row():
    runs = [_run(0, 0.5, 0.2, 0.4, 0.0), _run(1, 0.7, 0.4, 0.6, 0.3), {"seed": 2}]
    got = bars(runs, lambda r, hop: r.get("by_passes", {}).get("1", {}).get(hop))
    assert [tuple(round(x, 3) for x in cell) for cell in got] == [(0.6, 0.5, 0.7), (0.3, 0.2, 0.4), (0.5, 0.4, 0.6),
                                                                 (0.15, 0.0, 0.3)]
    assert all(math.isnan(x) for x in bars(runs, lambda r, hop: None)[0])


def test_the_plot_is_written_from_two_folders(tmp_path):
    for folder, runs in (("a", [_run(0, 0.3, 0.3, 0.3, 0.2)]), ("b", [_run(0, 0.9, 0.8, 0.8, 0.7), _run(1, 0.8, 0.8, 0.9, 0.6)])):
        (tmp_path / folder).mkdir()
        for r in runs:
            (tmp_path / folder / f"retention-m-seed{r['seed']}.json").write_text(json.dumps(r))
    out = tmp_path / "cmp.png"
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--model", "m", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
