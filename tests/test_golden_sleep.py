"""Golden: restructuring the code must not change what a sleep trains on, nor how it trains.

``tests/golden/retention_seed0.json`` was recorded before the restructuring (its ``recorded_on``):
for the retention benchmark's world at seed 0, the sleep data ``assemble()`` builds (hashed) and the
first 5 training losses of a tiny *randomly initialised* Qwen2-shaped model (the conftest's, loaded
fresh so no earlier adapter is on it). A change that moves the data or the training by one example
or one step fails here; one that means to change them re-records the file and says why.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sleep_agent import LocalRuntime, SleepConfig
from sleep_agent.consolidation import assemble, train_sleep
from sleep_agent_benchmarks.world import World

GOLDEN = json.loads((Path(__file__).parent / "golden" / "retention_seed0.json").read_text())


def _sha(rows) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_sleep_data_of_the_retention_world_is_unchanged():
    data = assemble(World(seed=0).trajectory(), [], SleepConfig(passes=1, seed=0))
    assert data.parts == GOLDEN["parts"]
    assert [e.to_dict() for e in data.train[:3]] == GOLDEN["first_train_examples"]
    assert _sha([e.to_dict() for e in data.train]) == GOLDEN["train_sha256"]
    assert _sha([e.to_dict() for e in data.heldout]) == GOLDEN["heldout_sha256"]
    assert (data.subjects, data.relations, data.facts) == (GOLDEN["subjects"], GOLDEN["relations"], GOLDEN["facts"])


@pytest.mark.slow
def test_first_training_losses_on_the_tiny_model_are_unchanged(tiny_model_dir):
    import torch

    # bf16 as recorded (the default dtype on a CPU without native bf16 is fp32)
    runtime = LocalRuntime.load(str(tiny_model_dir), device="cpu", dtype=torch.bfloat16, log=lambda *_: None)
    config = SleepConfig(passes=1, seed=0)
    data = assemble(World(seed=0).trajectory(), [], config)
    torch.manual_seed(0)  # the LoRA initialisation draws from torch's global generator
    _, result = train_sleep(runtime, data.train[:10], config)
    # Losses are recorded rounded to 4 decimals; allow one rounding step of difference (plus float
    # slack: 11.9013 - 11.9012 is 1.0000000000015e-4 in binary floating point, which abs=1e-4 refused).
    assert result.loss_curve[:5] == pytest.approx(GOLDEN["losses"], abs=1e-4 + 1e-9)
