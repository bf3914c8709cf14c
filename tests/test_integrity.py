"""Integrity of what is loaded: converted model files, model folders, adapter folders (issue 23).

Each test failed on main before its fix: the converted safetensors were trusted from a stamp and
never re-hashed; ``--model`` folders loaded pickle checkpoints; ``LocalRuntime.activate_adapter(path)``
loaded any folder without the store's checks. The models here are a tiny randomly initialised Qwen2
(plumbing only) and copies of it; the real converted cache is never touched.
"""

from __future__ import annotations

import json
import shutil

import pytest

from sleep_agent import AdapterStore
from sleep_agent.io_utils import sha256_file
from sleep_agent.models import AdapterLoadError, LocalRuntime, UnknownModelError
from sleep_agent.models.conversion import STAMP, verify_converted
from sleep_agent.models.registry import ModelSpec
from sleep_agent.models.status import model_status


def _flip_byte(path, offset: int = 100) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_converted_files_are_rehashed_on_every_load(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path))
    spec = ModelSpec("fake", "a converted copy", ("pkg==1",), (("pkg", "x.gguf"),), "x.gguf", "ab" * 32, 1)
    shutil.copytree(tiny_model_dir, spec.cache_dir)
    files = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
             for p in spec.cache_dir.iterdir() if p.is_file()}
    (spec.cache_dir / STAMP).write_text(json.dumps({"name": "fake", "sha256": spec.sha256, "files": files}))
    assert verify_converted(spec) is None and model_status(spec).file_digests

    _flip_byte(spec.cache_dir / "model.safetensors", offset=5000)
    assert verify_converted(spec) == "model.safetensors does not match its recorded sha256"
    (spec.cache_dir / "extra.bin").write_bytes(b"pickle")
    assert "added or removed: extra.bin" in verify_converted(spec)

    (spec.cache_dir / STAMP).write_text(json.dumps({"name": "fake", "sha256": spec.sha256}))  # an old stamp
    assert "recorded no file digests" in verify_converted(spec) and not model_status(spec).file_digests


def test_a_model_folder_with_only_a_pickle_checkpoint_is_refused(tiny_model_dir, tmp_path, monkeypatch):
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")  # a pickle checkpoint
    (folder / "model.safetensors").unlink()

    def unpickle(*args, **kwargs):
        raise AssertionError("a pickle checkpoint was unpickled")

    monkeypatch.setattr(torch, "load", unpickle)
    with pytest.raises(UnknownModelError, match="safetensors"):
        LocalRuntime.load(str(folder), device="cpu", log=lambda *_: None)


def test_runtime_loads_only_published_intact_adapters(tiny_model_dir, tmp_path):
    from peft import LoraConfig

    runtime = LocalRuntime.load(str(tiny_model_dir), device="cpu", log=lambda *_: None)
    runtime.trainable_adapter("fresh", LoraConfig(r=2, target_modules=["q_proj"]))
    raw = tmp_path / "raw"
    raw.mkdir()
    runtime.save_adapter("fresh", raw)
    with pytest.raises(AdapterLoadError, match="no manifest.json"):
        runtime.activate_adapter(raw)  # a folder no store published

    version = AdapterStore("t", root=tmp_path).publish(lambda d: runtime.save_adapter("fresh", d), {})
    runtime.activate_adapter(version.path)
    assert runtime.adapter_path == str(version.path)
    _flip_byte(version.path / "adapter_model.safetensors")
    with pytest.raises(AdapterLoadError, match="sha256"):
        runtime.activate_adapter(version.path)
    (version.path / "adapter_model.bin").write_bytes(b"pickle")
    with pytest.raises(AdapterLoadError):
        runtime.activate_adapter(version.path)
