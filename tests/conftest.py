"""Shared fixtures. Everything runs offline (HF_HUB_OFFLINE=1) against packaged weights.

- ``qwen_runtime``: the real default model (qwen2.5-coder-0.5b), loaded once per session.
- ``tiny_runtime``: a tiny *randomly initialised* Qwen2-shaped model with the real Qwen tokenizer,
  for plumbing tests (streaming, async, token counts) where output quality does not matter.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def qwen_runtime():
    from sleep_agent import LocalRuntime

    return LocalRuntime.load("qwen2.5-coder-0.5b", device="cpu", log=lambda *_: None)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A folder with a tiny random Qwen2 model (2 layers, hidden 64) and the real Qwen tokenizer."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    from sleep_agent.models import ensure_converted, get_spec
    from sleep_agent.models.compute_thread import on_compute_thread

    src = ensure_converted(get_spec("qwen2.5-coder-0.5b"), log=lambda *_: None)
    tok = AutoTokenizer.from_pretrained(src)
    out = tmp_path_factory.mktemp("tiny-random-qwen2")

    def build():  # on the runtime's compute thread: torch on this thread too would start a second
        torch.manual_seed(0)  # OpenMP team and slow every later test (sleep_agent/models/compute_thread.py)
        cfg = Qwen2Config(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                          tie_word_embeddings=True)
        Qwen2ForCausalLM(cfg).to(torch.bfloat16).save_pretrained(out)

    on_compute_thread(build)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_runtime(tiny_model_dir):
    from sleep_agent import LocalRuntime

    return LocalRuntime.load(str(tiny_model_dir), device="cpu", log=lambda *_: None)


def pytest_collection_modifyitems(items):
    """Every test that uses the real model is slow, marked or not: `-m "not slow"` then skips all of
    them, as the README says (tests/test_recall_tool.py and test_eval_agent.py once slipped through)."""
    for item in items:
        if "qwen_runtime" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
