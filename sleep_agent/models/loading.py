"""Load a causal LM and its tokenizer by registry name, local folder, or Hugging Face hub id.

Example::

    >>> from sleep_agent.models.loading import load_causal_lm
    >>> model, tokenizer, info = load_causal_lm("smollm2-135m")
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .conversion import ensure_converted
from .registry import MODELS, UnknownModelError

__all__ = ["LoadedInfo", "cpu_has_native_bf16", "load_causal_lm", "resolve_model_path", "pick_device", "pick_dtype"]


@dataclass(frozen=True)
class LoadedInfo:
    name: str          # what the caller asked for
    path: str          # folder or hub id actually loaded
    device: str
    dtype: str
    load_seconds: float


def pick_device(device: str | None = None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); Linux flags, else False."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(f in flags for f in ("avx512_bf16", "amx_bf16"))


def pick_dtype(device: str):
    import torch

    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    # On a CPU with native bf16, bf16 is 1.5-2x faster than fp32. Without it torch emulates bf16
    # and is far slower: on an AVX2-only CPU, one training step of smollm2-135m took 66 s in bf16
    # and 3.8 s in fp32 (docs/performance.md).
    return torch.bfloat16 if cpu_has_native_bf16() else torch.float32


def resolve_model_path(name_or_path: str, *, log=print) -> str:
    """Registry name -> converted cache folder; existing folder -> itself; anything else -> hub id."""
    if name_or_path in MODELS:
        return str(ensure_converted(MODELS[name_or_path], log=log))
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser())
    if name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1:
        raise UnknownModelError(
            f"model {name_or_path!r}: no such folder (registry models: {', '.join(MODELS)})"
        )
    return name_or_path  # a hub id; transformers raises a clear error if it is not cached offline


def load_causal_lm(name_or_path: str, *, device: str | None = None, dtype=None, log=print,
                   random_init: bool = False):
    """Return ``(model, tokenizer, LoadedInfo)``; the model is in eval mode on ``device``.

    ``random_init=True`` builds the model from its config with random weights (seed 0): for
    throughput benchmarks, which do not depend on weight values; only config and tokenizer are read.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    t0 = time.perf_counter()
    path = resolve_model_path(name_or_path, log=log)
    device = pick_device(device)
    dtype = dtype or pick_dtype(device)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        if random_init:
            import torch

            torch.manual_seed(0)
            model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(path), dtype=dtype).to(device)
        else:
            # safetensors only: a pickle checkpoint (*.bin) in a user's folder would run code on load
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, use_safetensors=True).to(device)
    except OSError as e:
        raise UnknownModelError(
            f"could not load model {name_or_path!r}: {e}. Registry models: {', '.join(MODELS)}"
        ) from e
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    info = LoadedInfo(name_or_path + (" (random init)" if random_init else ""), path, device, str(dtype).removeprefix("torch."),
                      round(time.perf_counter() - t0, 2))
    return model, tokenizer, info
