"""Packed sleep batches: the same loss as padded ones, and no attention across packed examples.

Runs on the tiny randomly initialised Qwen2-shaped model (plumbing: numbers, not quality).
"""

from __future__ import annotations

import pytest

from sleep_agent import SleepConfig
from sleep_agent.consolidation.trainer import _prepare_peft, answer_loss, collate


def _loss(pm, batch, pack):
    import torch

    ids, mask, positions, labels = collate(batch, pad=0, pack=pack)
    with torch.no_grad():
        return answer_loss(pm, ids, mask, labels, positions).item()


@pytest.fixture(scope="module")
def pm(tiny_runtime):
    import torch

    torch.manual_seed(0)  # the LoRA initialisation draws from the global generator: same adapter whatever ran before
    model = _prepare_peft(tiny_runtime, SleepConfig(), None)
    for name, p in model.named_parameters():  # a non-zero LoRA, so the adapter path is exercised
        if "lora_B" in name:
            p.data.normal_(0, 0.02)
    model.eval()
    return model


BATCH = [([5, 6, 7, 8], [9, 10]), ([11, 12], [13, 14, 15]), ([16, 17, 18, 19, 20, 21], [22])]


def test_collate_shapes_and_labels():
    ids, mask, positions, labels = collate(BATCH, pad=0, pack=True)
    assert mask is None and ids.shape == positions.shape == labels.shape == (1, 18)
    assert positions[0].tolist() == list(range(6)) + list(range(5)) + list(range(7))
    assert [t for t in labels[0].tolist() if t != -100] == [9, 10, 13, 14, 15, 22]
    ids, mask, positions, labels = collate(BATCH, pad=0, pack=False)
    assert positions is None and ids.shape == mask.shape == (3, 7) and int(mask.sum()) == 18


def test_packed_loss_equals_padded_loss(pm):
    assert _loss(pm, BATCH, pack=True) == pytest.approx(_loss(pm, BATCH, pack=False), rel=2e-2)


def _hidden(pm, batch):
    import torch

    ids, _, positions, _ = collate(batch, pad=0, pack=True)
    with torch.no_grad():
        out = pm.get_base_model().model(input_ids=ids, position_ids=positions, use_cache=False)
    return out.last_hidden_state[0].float()  # (L, H)


def test_packed_examples_do_not_attend_to_each_other(pm):
    """An example's hidden states are the same whatever is packed before it (else answers could be
    copied from a neighbouring paraphrase). With attention across examples they differ by ~3."""
    alone = _hidden(pm, BATCH[1:2])                       # (5, H)
    packed = _hidden(pm, BATCH[0:2])[-len(alone):]        # the same example after another one
    assert (packed - alone).abs().max().item() < 1e-2
