"""AdapterStore: versioned, checksummed, crash-safe LoRA adapter publishing with rollback."""

from __future__ import annotations

import errno
import json
import os

import pytest

from sleep_agent.adapters import (
    AdapterIntegrityError,
    AdapterPublishError,
    AdapterStore,
    AdapterVersion,
)
from sleep_agent.io_utils import sha256_file
from sleep_agent.paths import InvalidThreadIdError


def fake_writer(tag: str, extra: dict[str, bytes] | None = None, skip: tuple[str, ...] = ()):
    """A write_adapter that writes small stand-in peft files (content depends on ``tag``)."""

    def write(d):
        files = {
            "adapter_config.json": json.dumps({"r": 4, "tag": tag}).encode(),
            "adapter_model.safetensors": (f"weights-{tag}-" * 64).encode(),
            **(extra or {}),
        }
        for name, data in files.items():
            if name not in skip:
                (d / name).write_bytes(data)

    return write


def publish_n(store: AdapterStore, n: int) -> list[AdapterVersion]:
    return [store.publish(fake_writer(f"t{i}"), {"step": i}) for i in range(1, n + 1)]


def head(store: AdapterStore):
    return json.loads((store.path / "HEAD").read_text())["version"]


def flip_byte(path, offset: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def leftovers(store: AdapterStore) -> list[str]:
    return sorted(p.name for p in store.path.iterdir() if p.name.startswith(".tmp-"))


# ---- real peft adapter ----------------------------------------------------------------------------
def test_real_peft_adapter_roundtrip(tmp_path):
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    cfg = GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=100, n_positions=64)
    peft_model = get_peft_model(GPT2LMHeadModel(cfg), LoraConfig(r=4, target_modules=["c_attn"],
                                                                 fan_in_fan_out=True))
    with torch.no_grad():  # make lora_B non-zero so the comparison is meaningful
        for name, p in peft_model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn_like(p))

    store = AdapterStore("real", root=tmp_path)
    v = store.publish(lambda d: peft_model.save_pretrained(d), {"kind": "lora"})
    assert v.version == 1 and v.path.name == "v0001"
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(v.manifest["files"])
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in v.manifest["files"])

    got = store.latest()
    assert got.version == 1 and got.path == v.path
    torch.manual_seed(0)
    base = GPT2LMHeadModel(cfg)
    loaded = PeftModel.from_pretrained(base, got.path)
    want = {k: t for k, t in peft_model.state_dict().items() if "lora_" in k}
    have = {k: t for k, t in loaded.state_dict().items() if "lora_" in k}
    assert want and set(want) == set(have)
    for k in want:
        assert torch.equal(want[k], have[k]), k


# ---- numbering, manifests ---------------------------------------------------------------------------
def test_versions_and_parents_across_three_publishes(tmp_path):
    store = AdapterStore("t1", root=tmp_path)
    assert store.versions() == [] and store.latest() is None and store.history() == []
    vs = publish_n(store, 3)
    assert [v.version for v in vs] == [1, 2, 3]
    assert [v.manifest["parent"] for v in vs] == [None, 1, 2]
    assert store.versions() == [1, 2, 3]
    assert sorted(p.name for p in store.path.iterdir() if p.is_dir()) == ["v0001", "v0002", "v0003"]
    assert head(store) == 3
    latest = store.latest()
    assert latest.version == 3 and latest.manifest["step"] == 3 and latest.manifest["thread_id"] == "t1"
    hist = store.history()
    assert [h["version"] for h in hist] == [1, 2, 3]
    assert [h["status"] for h in hist] == ["ok"] * 3
    assert [h["step"] for h in hist] == [1, 2, 3]
    assert store.events == []


def test_manifest_records_sha256_and_sizes(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    caller_manifest = {"loss": 0.5, "version": 99}
    v = store.publish(fake_writer("a"), caller_manifest)
    assert caller_manifest == {"loss": 0.5, "version": 99}  # not mutated
    on_disk = json.loads((v.path / "manifest.json").read_text())
    assert on_disk == v.manifest
    assert on_disk["version"] == 1 and on_disk["loss"] == 0.5 and on_disk["parent"] is None
    assert on_disk["created"].startswith("20") and on_disk["created"].endswith("+00:00")
    assert set(on_disk["files"]) == {"adapter_config.json", "adapter_model.safetensors"}
    for name, meta in on_disk["files"].items():
        assert meta["sha256"] == sha256_file(v.path / name)
        assert meta["bytes"] == (v.path / name).stat().st_size
    store.verify(1)
    assert store.get(1).manifest == on_disk


# ---- corruption and rollback --------------------------------------------------------------------
def test_flipped_byte_rolls_back_to_previous(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 3)
    flip_byte(store.path / "v0003" / "adapter_model.safetensors")
    with pytest.raises(AdapterIntegrityError, match="adapter_model.safetensors") as ei:
        store.verify(3)
    assert ei.value.version == 3 and ei.value.check == "sha256" and "v0003" in str(ei.value)

    got = store.latest()
    assert got.version == 2
    assert len(store.events) == 1
    ev = store.events[0]
    assert "v0003" in ev and "adapter_model.safetensors" in ev and "rolled back to v0002" in ev
    assert "sha256" in ev
    assert head(store) == 2
    # the next load is direct, with no new event
    assert store.latest().version == 2 and len(store.events) == 1
    assert [h["status"] for h in store.history()] == ["ok", "ok", "corrupt"]
    # a fresh store object has no events from the other one
    assert AdapterStore("t", root=tmp_path).events == []


def test_truncated_file_rolls_back(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 3)
    p = store.path / "v0003" / "adapter_model.safetensors"
    p.write_bytes(p.read_bytes()[:20])
    with pytest.raises(AdapterIntegrityError, match="truncated") as ei:
        store.verify(3)
    assert ei.value.file == "adapter_model.safetensors" and ei.value.check == "size"
    assert store.latest().version == 2
    assert "adapter_model.safetensors" in store.events[0] and "rolled back to v0002" in store.events[0]
    assert head(store) == 2


def test_missing_file_and_multiple_bad_versions_roll_back_further(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 3)
    (store.path / "v0003" / "adapter_config.json").unlink()
    flip_byte(store.path / "v0002" / "adapter_model.safetensors")
    with pytest.raises(AdapterIntegrityError, match="adapter_config.json.*missing"):
        store.verify(3)
    assert store.latest().version == 1
    ev = store.events[0]
    assert "v0003" in ev and "adapter_config.json" in ev and "v0002" in ev and "rolled back to v0001" in ev
    assert head(store) == 1
    # a publish after a rollback takes the next free number, parented on the live version
    v = store.publish(fake_writer("new"), {})
    assert v.version == 4 and v.manifest["parent"] == 1 and store.latest().version == 4


def test_all_corrupt_returns_none(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 3)
    for v in (1, 2, 3):
        flip_byte(store.path / f"v{v:04d}" / "adapter_model.safetensors")
    assert store.latest() is None
    assert len(store.events) == 1
    assert "v0003" in store.events[0] and "v0001" in store.events[0]
    assert "no older version verifies" in store.events[0]
    assert [h["status"] for h in store.history()] == ["corrupt"] * 3


def test_head_pointing_to_missing_folder_rolls_back(tmp_path):
    import shutil

    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)
    shutil.rmtree(store.path / "v0002")
    assert store.latest().version == 1
    assert "v0002" in store.events[0] and head(store) == 1
    with pytest.raises(FileNotFoundError):
        store.get(2)


def test_corrupt_head_file_is_treated_as_missing(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)
    (store.path / "HEAD").write_text("{not json")
    assert store.latest().version == 2
    assert "HEAD file corrupt" in store.events[0] and "using v0002" in store.events[0]
    assert head(store) == 2
    for bad in ('{"version": "two"}', '{"v": 1}', "[]", '{"version": -1}', ""):
        (store.path / "HEAD").write_text(bad)
        assert AdapterStore("t", root=tmp_path).latest().version == 2
    # HEAD missing with versions present: highest version that verifies
    (store.path / "HEAD").unlink()
    flip_byte(store.path / "v0002" / "adapter_model.safetensors")
    fresh = AdapterStore("t", root=tmp_path)
    assert fresh.latest().version == 1
    assert "HEAD missing" in fresh.events[0] and "v0002" in fresh.events[0] and head(fresh) == 1
    assert "rolled back to v0001" in fresh.events[0]
    # a corrupt HEAD with no versions at all
    other = AdapterStore("empty", root=tmp_path)
    other.path.mkdir(parents=True)
    (other.path / "HEAD").write_text("garbage")
    assert other.latest() is None


def test_orphan_version_without_head_is_ignored_while_head_is_valid(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 3)
    # simulate a crash between the rename of v0003 and its HEAD write
    (store.path / "HEAD").write_text(json.dumps({"version": 2}))
    assert store.versions() == [1, 2, 3]
    assert store.latest().version == 2  # HEAD is trusted; the orphan v0003 is not live
    assert store.events == []
    v = store.publish(fake_writer("four"), {})
    assert v.version == 4 and v.manifest["parent"] == 2
    assert store.latest().version == 4


# ---- failed publishes leave the previous version intact -------------------------------------------
def _assert_intact(store: AdapterStore, versions: list[int]):
    assert store.versions() == versions
    assert head(store) == versions[-1]
    assert store.latest().version == versions[-1]
    assert leftovers(store) == []
    assert sorted(p.name for p in store.path.iterdir() if p.is_dir()) == [f"v{v:04d}" for v in versions]
    assert store.events == []


def test_write_adapter_raising_leaves_previous_version(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)

    def boom(d):
        fake_writer("x")(d)
        raise RuntimeError("training blew up")

    with pytest.raises(RuntimeError, match="training blew up"):
        store.publish(boom, {})
    _assert_intact(store, [1, 2])


def test_disk_full_leaves_previous_version(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)

    def full(d):
        (d / "adapter_config.json").write_text("{}")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as ei:
        store.publish(full, {})
    assert ei.value.errno == errno.ENOSPC
    assert "v0003" in str(ei.value) and "v0002 stays live" in str(ei.value)
    assert isinstance(ei.value.__cause__, OSError) and ei.value.__cause__.errno == errno.ENOSPC
    _assert_intact(store, [1, 2])


def test_failure_writing_head_removes_the_new_version(tmp_path, monkeypatch):
    import sleep_agent.adapters.store as store_mod

    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    real = store_mod.atomic_write_json

    def failing(path, obj):
        if path.name == "HEAD":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, obj)

    monkeypatch.setattr(store_mod, "atomic_write_json", failing)
    with pytest.raises(OSError, match="v0002"):
        store.publish(fake_writer("b"), {})
    monkeypatch.undo()
    _assert_intact(store, [1])


def test_unserialisable_manifest_is_refused_cleanly(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    with pytest.raises(TypeError):
        store.publish(fake_writer("b"), {"obj": object()})
    _assert_intact(store, [1])


@pytest.mark.parametrize("name", ["adapter_model.bin", "optimizer.pt", "state.pkl", "sub/x.bin"])
def test_pickle_files_are_refused(tmp_path, name):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)

    def writer(d):
        fake_writer("p")(d)
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(b"\x80\x04pickle")

    with pytest.raises(AdapterPublishError, match="pickle"):
        store.publish(writer, {})
    _assert_intact(store, [1])


def test_pickle_file_added_later_fails_verification(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)
    (store.path / "v0002" / "adapter_model.bin").write_bytes(b"\x80\x04pickle")
    with pytest.raises(AdapterIntegrityError, match="adapter_model.bin"):
        store.verify(2)
    assert store.latest().version == 1


@pytest.mark.parametrize("skip", ["adapter_model.safetensors", "adapter_config.json"])
def test_missing_required_file_is_refused(tmp_path, skip):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    with pytest.raises(AdapterPublishError, match=skip):
        store.publish(fake_writer("m", skip=(skip,)), {})
    _assert_intact(store, [1])


def test_first_publish_failing_leaves_nothing(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    with pytest.raises(AdapterPublishError):
        store.publish(lambda d: None, {})
    assert store.versions() == [] and store.latest() is None and leftovers(store) == []
    assert not (store.path / "HEAD").exists()


def test_leftover_tmp_dir_is_ignored_and_cleaned(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    crash = store.path / ".tmp-crashed"
    crash.mkdir()
    fake_writer("half")(crash)
    (crash / "manifest.json").write_text("{}")
    (store.path / "v0007-partial").mkdir()  # not a version name either
    assert store.versions() == [1]
    assert store.latest().version == 1
    assert [h["version"] for h in store.history()] == [1]
    v = store.publish(fake_writer("b"), {})
    assert v.version == 2 and not crash.exists() and leftovers(store) == []


def test_version_folder_without_manifest_is_not_listed_but_number_is_skipped(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    (store.path / "v0002").mkdir()
    assert store.versions() == [1]
    assert store.publish(fake_writer("b"), {}).version == 3


# ---- thread ids and isolation --------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../x", "/abs", "", ".hidden", "a/b", "..", None])
def test_invalid_thread_ids_are_refused(tmp_path, bad):
    with pytest.raises(InvalidThreadIdError):
        AdapterStore(bad, root=tmp_path)


def test_threads_are_isolated(tmp_path):
    a = AdapterStore("alice", root=tmp_path)
    b = AdapterStore("bob", root=tmp_path)
    publish_n(a, 2)
    assert b.versions() == [] and b.latest() is None
    vb = b.publish(fake_writer("bob"), {"who": "bob"})
    assert vb.version == 1 and vb.manifest["parent"] is None and vb.manifest["thread_id"] == "bob"
    assert a.versions() == [1, 2] and b.versions() == [1]
    assert a.latest().manifest["thread_id"] == "alice" and b.latest().manifest["who"] == "bob"
    assert a.path == tmp_path / "threads" / "alice" / "adapters"
    assert os.path.commonpath([a.path, b.path]) == str(tmp_path / "threads")


def test_default_root_is_sleep_agent_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path / "home"))
    store = AdapterStore("t")
    assert store.path == tmp_path / "home" / "threads" / "t" / "adapters"
    store.publish(fake_writer("h"), {})
    assert store.latest().path == tmp_path / "home" / "threads" / "t" / "adapters" / "v0001"


def test_thread_verifies_its_live_version_once_per_head_change(tmp_path, monkeypatch):
    from sleep_agent import Thread

    thread = Thread("t", tmp_path)
    assert thread.latest() is None and thread.dir == tmp_path / "threads" / "t"
    publish_n(thread.store, 1)
    verified = []
    real_verify = AdapterStore._verify
    monkeypatch.setattr(AdapterStore, "_verify", lambda self, v, m: (verified.append(v), real_verify(self, v, m)))
    assert thread.latest().version == 1 and verified == [1]
    for _ in range(5):  # agent steps: no hashing while HEAD stays
        assert thread.latest().version == 1
    assert verified == [1]
    thread.store.publish(fake_writer("t2"), {"step": 2})  # HEAD moves: verified again (once)
    verified.clear()
    assert thread.latest().version == 2 and thread.latest().version == 2 and verified == [2]
    flip_byte(thread.store.version_path(2) / "adapter_model.safetensors")
    thread.forget_cache()  # a damaged live version is found on the next verification and rolled back
    assert thread.latest().version == 1 and "rolled back to v0001" in " ".join(thread.store.events)


def test_thread_id_is_checked_before_anything_else(tmp_path):
    from sleep_agent import InvalidThreadIdError, Thread

    with pytest.raises(InvalidThreadIdError):
        Thread("../escape", tmp_path)
    assert Thread.from_config({"configurable": {}}, tmp_path).id == "default"
    assert Thread.from_config({"configurable": {"thread_id": "a-1"}}, tmp_path).id == "a-1"


def test_head_pins_the_manifest_so_an_edited_manifest_fails_verification(tmp_path):
    """Failed on main before HEAD pinned the manifest: editing a version's validation scores went unnoticed."""
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 2)
    manifest_path = store.version_path(2) / "manifest.json"
    pinned = json.loads((store.path / "HEAD").read_text())["manifest_sha256"]
    assert pinned == sha256_file(manifest_path)
    manifest = json.loads(manifest_path.read_text())
    manifest["validation"] = {"heldout": 1.0, "retained": 1.0}  # a forged score, files untouched
    manifest_path.write_text(json.dumps(manifest))
    store.verify(2)  # the files still match the (edited) manifest's table ...
    fresh = AdapterStore("t", root=tmp_path)
    assert fresh.latest().version == 1  # ... but not the digest HEAD pins: rolled back
    assert "v0002 failed its manifest digest check (manifest.json)" in fresh.events[0]
    assert json.loads((store.path / "HEAD").read_text()) == {
        "version": 1, "manifest_sha256": sha256_file(store.version_path(1) / "manifest.json")}


def test_a_head_without_a_pin_from_an_older_release_still_loads(tmp_path):
    store = AdapterStore("t", root=tmp_path)
    publish_n(store, 1)
    (store.path / "HEAD").write_text(json.dumps({"version": 1}))
    assert AdapterStore("t", root=tmp_path).latest().version == 1
    (store.path / "HEAD").write_text(json.dumps({"version": 1, "manifest_sha256": "abc"}))
    reopened = AdapterStore("t", root=tmp_path)
    assert reopened.latest().version == 1 and "HEAD file corrupt" in reopened.events[0]
