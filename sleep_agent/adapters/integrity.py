"""The checks an adapter folder passes before anything reads it: every file its manifest lists is
there, with that size and sha256, the required files are listed, and no pickle file is anywhere in it.

:class:`~.store.AdapterStore` runs them on its versions (and HEAD pins the manifest's own digest);
:func:`verify_adapter_folder` runs them on a folder given by path, which is what
``LocalRuntime.activate_adapter`` does, so no code path loads an unchecked folder.

Example::

    >>> verify_adapter_folder(store.latest().path)["version"]
    3
"""

from __future__ import annotations

import json
from pathlib import Path

from ..io_utils import sha256_file

__all__ = ["AdapterIntegrityError", "FORBIDDEN_SUFFIXES", "MANIFEST", "REQUIRED_FILES", "check_files",
           "verify_adapter_folder"]

REQUIRED_FILES = ("adapter_config.json", "adapter_model.safetensors")
FORBIDDEN_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
MANIFEST = "manifest.json"


class AdapterIntegrityError(RuntimeError):
    """A published version whose files are missing, truncated, or differ from their manifest sha256.

    ``version``, ``file`` (the offending file name, or None) and ``check`` (``"sha256"``, ``"size"``,
    ``"missing"``, ``"manifest"``, ``"manifest digest"`` or ``"pickle"``) say what failed.
    """

    def __init__(self, message: str, *, version: int, file: str | None = None, check: str = "sha256"):
        super().__init__(message)
        self.version = version
        self.file = file
        self.check = check


def check_files(folder: Path, files: dict, label: str, version: int) -> None:
    """Every file of ``files`` (name -> sha256 and bytes) is a regular file in ``folder`` with that size
    and digest, the required files are listed, and no pickle file is anywhere in the folder."""
    for req in REQUIRED_FILES:
        if req not in files:
            raise AdapterIntegrityError(f"{label}: manifest lists no {req}", version=version, file=req,
                                        check="manifest")
    for name, meta in sorted(files.items()):
        p = folder / name
        try:
            size = p.stat().st_size if p.is_file() and not p.is_symlink() else None
        except OSError:
            size = None
        if size is None:
            raise AdapterIntegrityError(f"{label}: {name} is missing ({p})", version=version, file=name,
                                        check="missing")
        want_bytes = meta.get("bytes") if isinstance(meta, dict) else None
        want_sha = meta.get("sha256") if isinstance(meta, dict) else None
        if want_bytes is not None and size != want_bytes:
            raise AdapterIntegrityError(f"{label}: {name} is {size} bytes, manifest says {want_bytes} "
                                        "(truncated or changed)", version=version, file=name, check="size")
        got = sha256_file(p)
        if got != want_sha:
            raise AdapterIntegrityError(f"{label}: {name} failed its sha256 check (manifest "
                                        f"{str(want_sha)[:12]}..., file {got[:12]}...)",
                                        version=version, file=name, check="sha256")
    for p in folder.rglob("*"):
        if p.suffix.lower() in FORBIDDEN_SUFFIXES:
            rel = p.relative_to(folder).as_posix()
            raise AdapterIntegrityError(f"{label}: holds pickle file {rel} (only safetensors allowed)",
                                        version=version, file=rel, check="pickle")


def verify_adapter_folder(folder: str | Path) -> dict:
    """The checks :meth:`AdapterStore.verify` makes, for a version folder given by path; returns its
    manifest. What :meth:`LocalRuntime.activate_adapter` runs before loading anything: a folder that
    no store published (no manifest), or one changed since, is refused."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise AdapterIntegrityError(f"adapter folder {folder} has no {MANIFEST}: only adapters published by "
                                    "an AdapterStore are loaded", version=0, file=MANIFEST, check="missing") from None
    except (OSError, ValueError) as e:
        raise AdapterIntegrityError(f"adapter folder {folder}: unreadable {MANIFEST}: {e}", version=0,
                                    file=MANIFEST, check="manifest") from e
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise AdapterIntegrityError(f"adapter folder {folder}: {MANIFEST} has no 'files' table", version=0,
                                    file=MANIFEST, check="manifest")
    version = manifest.get("version") if isinstance(manifest.get("version"), int) else 0
    check_files(folder, manifest["files"], f"adapter folder {folder}", version)
    return manifest
