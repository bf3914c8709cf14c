"""Folding the adapter into the base weights (models/fold.py): same outputs as the unfolded adapter,
no peft module left in the decoding path, and the base weights restored bit for bit afterwards.

Runs on the tiny randomly initialised Qwen2-shaped model (plumbing: numbers, not quality).
"""

from __future__ import annotations

import pytest

from sleep_agent import AdapterStore, SleepConfig
from sleep_agent.consolidation.trainer import _prepare_peft, save_trained_adapter


def _logits(rt, ids):
    import torch

    with torch.no_grad():
        return rt.model(input_ids=ids).logits.float()


def _has_lora_modules(module) -> bool:
    from peft.tuners.lora import LoraLayer

    return any(isinstance(m, LoraLayer) for m in module.modules())


@pytest.fixture()
def adapter_dir(tiny_runtime, tmp_path):
    import torch

    pm = _prepare_peft(tiny_runtime, SleepConfig(), None)
    torch.manual_seed(1)
    for name, p in pm.named_parameters():  # a visibly non-zero adapter
        if "lora_B" in name:
            p.data.normal_(0, 0.05)
    # published through a store: the runtime loads only folders that pass the store's checks
    version = AdapterStore("fold", root=tmp_path).publish(lambda d: save_trained_adapter(tiny_runtime, d), {})
    tiny_runtime.deactivate_adapter()
    yield version.path
    tiny_runtime.deactivate_adapter()


def test_fold_matches_adapter_and_restores_base_exactly(tiny_runtime, adapter_dir):
    import torch

    rt = tiny_runtime
    ids = torch.tensor([[5, 17, 300, 42, 9, 1000, 77]])
    weights = {k: v.clone() for k, v in rt.base_model.state_dict().items() if "lora_" not in k}
    base = _logits(rt, ids)

    rt.activate_adapter(adapter_dir)
    unfolded = _logits(rt, ids)
    assert not torch.allclose(unfolded, base, atol=1e-3), "the test adapter must change the outputs"

    rt.activate_adapter(adapter_dir, merged=True)
    assert rt.merged and rt.model is rt.base_model
    assert not _has_lora_modules(rt.model), "a LoRA wrapper is still in the decoding path"
    folded = _logits(rt, ids)
    # bf16 weights: the folded sum rounds once per weight; the outputs agree to that precision.
    assert (folded - unfolded).abs().max() < 0.05 * unfolded.abs().max()
    assert (folded - base).abs().max() > 5 * (folded - unfolded).abs().max()

    with rt.adapter_disabled():  # unfolds to the exact base, then folds again
        assert torch.equal(_logits(rt, ids), base)
    assert rt.merged and torch.allclose(_logits(rt, ids), folded)

    rt.deactivate_adapter()
    assert not rt.merged and _has_lora_modules(rt.base_model)
    after = {k: v for k, v in rt.base_model.state_dict().items() if "lora_" not in k}
    assert after.keys() == weights.keys()
    assert all(torch.equal(after[k], weights[k]) for k in weights), "base weights drifted after unfold"
    assert torch.equal(_logits(rt, ids), base)


def test_generation_through_folded_model(tiny_runtime, adapter_dir):
    rt = tiny_runtime
    prompt = rt.render([{"role": "user", "content": "Hi"}])
    rt.activate_adapter(adapter_dir)
    unfolded = rt.generate(prompt, max_new_tokens=6).text
    rt.activate_adapter(adapter_dir, merged=True)
    folded = rt.generate(prompt, max_new_tokens=6).text
    assert isinstance(folded, str) and folded.strip()
    # greedy decode on bf16 weights: the first tokens agree (later ones may differ by rounding)
    assert folded[:2] == unfolded[:2]
