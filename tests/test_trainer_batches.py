"""A pass's batches: long examples (context, behavior) batched among themselves, the rest as a plain shuffle.

Pure index bookkeeping (no model): what :func:`pass_batches` promises the trainer.
"""

from __future__ import annotations

import random

from sleep_agent.consolidation.trainer import LONG_PARTS, pass_batches


def _parts(n_short: int, long_at: tuple[int, ...]) -> list[str]:
    parts = ["probe"] * (n_short + len(long_at))
    for i in long_at:
        parts[i] = LONG_PARTS[0]
    return parts


def test_without_long_examples_the_batches_are_the_plain_shuffle():
    # what the trainer did before, and what a sleep or rebuild without long examples still gets
    parts = ["probe", "chain", "unknown", "general", "replay"] * 5
    order = list(range(len(parts)))
    random.Random(3).shuffle(order)
    assert pass_batches(parts, 2, random.Random(3)) == [order[b:b + 2] for b in range(0, len(order), 2)]


def test_long_examples_share_batches_only_with_each_other():
    parts = _parts(31, long_at=(0, 5, 9, 20, 33))
    long = {i for i, part in enumerate(parts) if part in LONG_PARTS}
    batches = pass_batches(parts, 2, random.Random(0))
    assert sorted(i for b in batches for i in b) == list(range(len(parts)))  # each example once
    for b in batches:
        assert set(b) <= long or not set(b) & long, b
    # 31 short -> 16 batches, 5 long -> 3: one step more than a plain shuffle's 18, never fewer
    assert len(batches) == 19
    assert sum(1 for b in batches if set(b) <= long) == 3


def test_long_batches_are_spread_through_the_pass_and_follow_the_seed():
    parts = _parts(200, long_at=tuple(range(0, 220, 11)))
    long = {i for i, part in enumerate(parts) if part in LONG_PARTS}
    batches = pass_batches(parts, 2, random.Random(1))
    where = [k for k, b in enumerate(batches) if set(b) <= long]
    assert where[0] < len(batches) // 2 < where[-1]  # not all at one end
    assert pass_batches(parts, 2, random.Random(1)) == batches
    assert pass_batches(parts, 2, random.Random(2)) != batches


def test_behavior_examples_never_pad_a_question():
    # an agent turn rendered with the tool schemas (~380 tokens) beside a ~48-token pair cost the pair
    # its length in padding (the demo: 2 behavior examples, 10 context, 94 short ones)
    parts = ["behavior"] * 2 + ["context"] * 10 + ["probe"] * 94
    batches = pass_batches(parts, 2, random.Random(5))
    short = {i for i, part in enumerate(parts) if part == "probe"}
    assert all(set(b) <= short or not set(b) & short for b in batches)
    assert len(batches) == 47 + 6
