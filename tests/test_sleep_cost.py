"""The sleep-cost benchmark's plumbing on a tiny random model (benchmarks/sleep_cost.py): three real
LoRA sleeps, the two later ones from the same version, and a report that says whether the target held.
The seconds of a tiny model mean nothing; the real figures are in docs/sleep-cost.md."""

from __future__ import annotations

import pytest

from sleep_agent_benchmarks.sleep_cost import write, measure


@pytest.mark.slow
def test_both_later_sleeps_start_from_the_first_version(tiny_runtime, tmp_path):
    result = measure(tiny_runtime, 1, 7, tmp_path / "data", validate=False)
    first, full, two = result["rows"]
    assert [r["version"] for r in result["rows"]] == [1, 2, 3]
    assert (first["turns"], full["turns"], two["turns"]) == (8, 8, 2)
    # the two-turn sleep learned one record, replayed about as much, and trained fewer steps
    assert two["facts"] < full["facts"] and 0 < two["parts"]["replay"] <= full["parts"]["replay"]
    assert two["steps"] < full["steps"] and two["parts"]["behavior"] <= full["parts"]["behavior"]
    result.update(model="tiny-random", machine="test", commit="test")
    text = write(result, tmp_path / "out")
    assert "| two turns (record 9) | 2 | yes |" in text and f"**{result['ratio']}**" in text
    assert set(two["validation"]) == {"heldout", "retained", "general", "unknown"}  # None: not validated
    assert (tmp_path / "out" / "sleep-cost-seed7.json").is_file()
    # the summary over seeds: a second seed's run joins the first one's
    write({**result, "seed": 8, "ratio": 0.5, "met": False}, tmp_path / "out")
    summary = (tmp_path / "out" / "sleep-cost.md").read_text()
    mean = (result["ratio"] + 0.5) / 2
    assert "2 seed(s)" in summary and f"**{mean:.3f}**" in summary and "of 2 seeds" in summary
