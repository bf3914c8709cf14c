"""Length-grouped sleep batches: every example once per pass, and long examples batched together.

Pure index arithmetic (no model): :func:`length_grouped_batches` decides which examples share a
padded step, so a long in-context example must not pad a short question to its length.
"""

from __future__ import annotations

import math
import random

from sleep_agent.consolidation.trainer import GROUP_BATCHES, length_grouped_batches

# a sleep's shape: ~40-token questions and a few ~250-token in-context examples, shuffled together
LENGTHS = [40 + i % 7 for i in range(101)] + [250 + i for i in range(11)]
random.Random(3).shuffle(LENGTHS)


def _padded_tokens(batches, lengths):
    return sum(len(b) * max(lengths[i] for i in b) for b in batches)


def test_every_example_once_per_pass_in_the_plain_step_count():
    for batch_size in (1, 2, 3, 8):
        batches = length_grouped_batches(LENGTHS, batch_size, random.Random(0))
        assert sorted(i for b in batches for i in b) == list(range(len(LENGTHS)))
        assert len(batches) == math.ceil(len(LENGTHS) / batch_size)
        assert all(1 <= len(b) <= batch_size for b in batches)


def test_long_examples_share_batches_with_each_other():
    batches = length_grouped_batches(LENGTHS, 2, random.Random(0))
    mixed = [b for b in batches if min(LENGTHS[i] for i in b) < 100 <= max(LENGTHS[i] for i in b)]
    # at most one long/short pair per sorted group (the group's odd long example out)
    assert len(mixed) <= math.ceil(len(LENGTHS) / (2 * GROUP_BATCHES))
    plain = list(range(len(LENGTHS)))
    random.Random(0).shuffle(plain)
    shuffled = [plain[k:k + 2] for k in range(0, len(plain), 2)]
    assert _padded_tokens(batches, LENGTHS) < 0.85 * _padded_tokens(shuffled, LENGTHS)


def test_batches_are_seeded_and_differ_between_passes():
    rng_a, rng_b = random.Random(5), random.Random(5)
    first = length_grouped_batches(LENGTHS, 2, rng_a)
    assert first == length_grouped_batches(LENGTHS, 2, rng_b)
    assert length_grouped_batches(LENGTHS, 2, rng_a) != first  # the next pass draws a new order
