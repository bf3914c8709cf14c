"""`sleep-agent bench perf` plumbing on the tiny randomly initialised model (numbers, not quality).

The real figures come from running the benchmark (docs/perf-*.md); this checks that every part runs,
the ratios are computed from the measurements, and the table shows them.
"""

from __future__ import annotations

import pytest

from sleep_agent_benchmarks.perf import format_table, run_perf


@pytest.fixture(scope="module")
def result(tiny_model_dir):
    from sleep_agent import LocalRuntime

    rt = LocalRuntime.load(str(tiny_model_dir), device="cpu", log=lambda *_: None, random_init=True)
    return run_perf(rt, passes=[1], random_init=True, sizes=(500, 3000), max_full_tokens=2000, batch_sizes=[4],
                    log=lambda _: None)


def test_every_ratio_is_measured(result):
    wake = result["wake_tokens_per_s"]
    assert all(v > 0 for v in wake.values()) and set(wake) == {
        "base", "base_static_cache", "adapter_unmerged", "adapter_merged", "adapter_unmerged_static_cache",
        "adapter_merged_static_cache", "base_after_sleep", "base_after_sleep_static_cache"}
    # the ratios use the base timed beside the adapter, not the one timed before the sleep
    assert result["wake_merged_vs_base"] == round(wake["adapter_merged"] / wake["base_after_sleep"], 3)
    assert result["decode_vs_eager"] == round(wake["base_static_cache"] / wake["base"], 3)
    assert result["wake_static_merged_vs_base"] == round(
        wake["adapter_merged_static_cache"] / wake["base_after_sleep_static_cache"], 3)
    sleep = result["sleep"][1]
    assert sleep["train_tokens"] > 0 and sleep["seconds"] >= sleep["phases"]["train"] > 0
    assert result["sleep_vs_raw"] == round(sleep["train_tokens_per_s"] / result["raw_tokens_per_s"], 3)
    assert result["cpu_sleep_2k_seconds"] == sleep["seconds"]
    row = result["batch_scaling"][4]
    assert min(row["sleep_padded"], row["sleep_packed"], row["raw_padded"]) > 0
    assert row["sleep_vs_raw"] == round(max(row["sleep_padded"], row["sleep_packed"]) / row["raw_padded"], 3)


def test_step_latency_contexts(result):
    steps = result["step_latency"]
    # sleep keeps at most the budget; full grows with the trajectory until it is not run any more
    assert steps["sleep"][3000]["tokens"] <= 2048 and steps["sleep"][3000]["seconds"] > 0
    assert steps["full"][500]["tokens"] < steps["full"][3000]["tokens"]
    assert steps["full"][3000]["seconds"] is None and "not run" in steps["full"][3000]["why"]
    assert steps["vector"][3000]["query_seconds"] >= 0
    assert result["step_latency_50k_vs_2k"] == round(steps["sleep"][3000]["seconds"] / steps["sleep"][500]["seconds"], 3)


def test_table_names_device_and_ratios(result):
    table = format_table(result)
    assert result["device"] in table and "randomly initialised" in table
    assert str(result["wake_merged_vs_base"]) in table and "| sleep | " in table


def test_bench_results_keep_the_notes_written_under_the_marker(tmp_path):
    from sleep_agent_benchmarks.results import NOTES_MARKER, write_results

    table = lambda r: f"| x | {r['x']} |\n"  # noqa: E731
    write_results(tmp_path / "retention-m", {"x": 1, "command": "bench a"}, "T", table, merge=False)
    md = tmp_path / "retention-m.md"
    assert NOTES_MARKER in md.read_text()
    md.write_text(md.read_text() + "The 4th sleep was refused.\n")
    write_results(tmp_path / "retention-m", {"x": 2, "command": "bench b"}, "T", table, merge=True)
    text = md.read_text()
    assert "| x | 2 |" in text and "The 4th sleep was refused." in text and text.count(NOTES_MARKER) == 1
    assert "bench a" in text and "bench b" in text  # both commands listed after a merge
