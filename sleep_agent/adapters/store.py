"""Versioned, checksummed LoRA adapters of one thread, published crash-safely.

Layout (``<root>`` defaults to :func:`sleep_agent.paths.home`)::

    <root>/threads/<thread_id>/adapters/
        v0001/  adapter_config.json  adapter_model.safetensors  manifest.json  (README.md ...)
        v0002/  ...
        HEAD    {"version": 2, "manifest_sha256": "..."}   <- the live version and its manifest's digest
        events.jsonl   rollbacks and forgets, one JSON object a line (:mod:`.events`)

A new version is written into a ``.tmp-*`` folder, hashed, fsynced, renamed to ``vNNNN`` and only
then made live by atomically rewriting ``HEAD``. A crash at any point leaves the previous version
live and loadable. On load, :meth:`AdapterStore.latest` re-checks every file's sha256 against the
manifest and, if the HEAD version is damaged, rolls back to the newest older version that is intact
(recording a note in :attr:`AdapterStore.events` and rewriting ``HEAD``). ``HEAD`` also pins the
sha256 of the live version's ``manifest.json``, so an edit of the manifest itself (its validation
scores, its file table) fails verification too. A ``HEAD`` written before the pin existed has none;
its version is then verified by its files alone.

Only safetensors weights are accepted: a version holding ``*.bin``/``*.pt``/``*.pkl`` (pickle) files
is refused at publish time and fails verification.

Example::

    >>> store = AdapterStore("my-thread")
    >>> v = store.publish(lambda d: peft_model.save_pretrained(d), {"steps": 40, "loss": 1.23})
    >>> store.latest().path            # .../threads/my-thread/adapters/v0001
    >>> PeftModel.from_pretrained(base_model, store.latest().path)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..crashpoints import crash_point
from .events import append_event, read_events
from .locks import SleepInProgressError, publish_lock, sleep_lock
from ..io_utils import atomic_write_json, fsync_dir, sha256_file
from .integrity import (FORBIDDEN_SUFFIXES, MANIFEST, REQUIRED_FILES, AdapterIntegrityError, check_files,
                        verify_adapter_folder)
from ..paths import thread_dir, validate_thread_id

__all__ = [
    "AdapterConflictError",
    "AdapterIntegrityError",
    "AdapterPublishError",
    "AdapterStore",
    "AdapterVersion",
    "REQUIRED_FILES",
    "SleepInProgressError",
    "FORBIDDEN_SUFFIXES",
    "verify_adapter_folder",
]

log = logging.getLogger(__name__)

HEAD = "HEAD"
TMP_PREFIX = ".tmp-"
ANY_PARENT = object()  # publish(parent=...) default: publish on whatever version is live
_VERSION_DIR = re.compile(r"^v(\d{4,})$")


class AdapterPublishError(ValueError):
    """``write_adapter`` produced a folder that cannot be published (missing or pickle files)."""


class AdapterConflictError(AdapterPublishError):
    """The live version is no longer the one a sleep started from (a rollback or a forget ran
    meanwhile): publishing would silently undo that change, so nothing is published."""


@dataclass
class AdapterVersion:
    version: int
    path: Path  # folder holding adapter_config.json + adapter_model.safetensors + manifest.json
    manifest: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return _vname(self.version)


def _vname(version: int) -> str:
    return f"v{version:04d}"


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


class AdapterStore:
    """Versioned LoRA adapters of one thread: ``<root>/threads/<thread_id>/adapters/v0001, v0002, ...``

    * :meth:`versions` lists folders ``vNNNN`` that hold a ``manifest.json`` (``.tmp-*`` folders
      left by a crash are ignored, and removed by the next :meth:`publish`).
    * :meth:`latest` returns the version named by ``HEAD``, verified. A ``vNNNN`` folder that a crash
      left between its rename and the ``HEAD`` write (an *orphan*) is listed by :meth:`versions` but
      is never returned by :meth:`latest` while ``HEAD`` is valid; the next publish simply takes the
      following number. Only when ``HEAD`` is missing or unreadable does :meth:`latest` fall back to
      the highest version that verifies.
    """

    def __init__(self, thread_id: str, root: Path | str | None = None):
        self.thread_id = validate_thread_id(thread_id)
        self.root = Path(root) if root is not None else None
        self.path = thread_dir(self.thread_id, self.root) / "adapters"
        self._events: list[str] = []

    def __repr__(self) -> str:
        return f"AdapterStore(thread_id={self.thread_id!r}, path={str(self.path)!r})"

    # ---- reading --------------------------------------------------------------------------------
    @property
    def events(self) -> list[str]:
        """Human-readable notes of the rollbacks this store object performed (oldest first)."""
        return list(self._events)

    def _version_dirs(self) -> dict[int, Path]:
        """Every ``vNNNN`` folder, with or without a manifest."""
        out: dict[int, Path] = {}
        try:
            entries = list(os.scandir(self.path))
        except FileNotFoundError:
            return out
        for e in entries:
            m = _VERSION_DIR.match(e.name)
            if m and e.is_dir(follow_symlinks=False):
                out[int(m.group(1))] = Path(e.path)
        return out

    def versions(self) -> list[int]:
        """Published versions (folders ``vNNNN`` holding a ``manifest.json``), ascending."""
        return sorted(v for v, p in self._version_dirs().items() if (p / MANIFEST).is_file())

    def version_path(self, version: int) -> Path:
        return self.path / _vname(int(version))

    def _read_manifest(self, version: int) -> dict:
        folder = self.version_path(version)
        if not folder.is_dir():
            raise FileNotFoundError(f"adapter {_vname(version)} of thread {self.thread_id!r} does not exist "
                                    f"({folder})")
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except FileNotFoundError:
            raise AdapterIntegrityError(
                f"adapter {_vname(version)} of thread {self.thread_id!r} has no {MANIFEST} ({folder})",
                version=version, file=MANIFEST, check="missing") from None
        except (OSError, ValueError) as e:
            raise AdapterIntegrityError(
                f"adapter {_vname(version)} of thread {self.thread_id!r}: unreadable {MANIFEST}: {e}",
                version=version, file=MANIFEST, check="manifest") from e
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise AdapterIntegrityError(
                f"adapter {_vname(version)} of thread {self.thread_id!r}: {MANIFEST} has no 'files' table",
                version=version, file=MANIFEST, check="manifest")
        if manifest.get("version") != version:
            raise AdapterIntegrityError(
                f"adapter {_vname(version)} of thread {self.thread_id!r}: {MANIFEST} says version "
                f"{manifest.get('version')!r}", version=version, file=MANIFEST, check="manifest")
        return manifest

    def verify(self, version: int) -> None:
        """Raise :class:`AdapterIntegrityError` (naming file and version) unless every file listed in
        the manifest is present with its recorded size and sha256, and no pickle file is present."""
        self._verify(version, self._read_manifest(version))

    def _verify(self, version: int, manifest: dict) -> None:
        check_files(self.version_path(version), manifest["files"], f"adapter {_vname(version)} of thread "
                     f"{self.thread_id!r}", version)

    def get(self, version: int, verify: bool = True, manifest_sha256: str | None = None) -> AdapterVersion:
        """One version. Raises FileNotFoundError if it does not exist, :class:`AdapterIntegrityError`
        if ``verify`` and its files do not match its manifest."""
        version = int(version)
        manifest = self._read_manifest(version)
        if verify:
            self._verify(version, manifest)
        if verify and manifest_sha256 is not None:
            got = sha256_file(self.version_path(version) / MANIFEST)
            if got != manifest_sha256:
                raise AdapterIntegrityError(
                    f"adapter {_vname(version)} of thread {self.thread_id!r}: {MANIFEST} was changed after "
                    f"publishing (HEAD pins {manifest_sha256[:12]}..., file {got[:12]}...)",
                    version=version, file=MANIFEST, check="manifest digest")
        return AdapterVersion(version=version, path=self.version_path(version), manifest=manifest)

    def _read_head(self) -> tuple[int | None, str | None, str | None]:
        """(HEAD version or None, the manifest digest it pins or None, problem note or None).
        A missing HEAD is (None, None, None)."""
        try:
            raw = (self.path / HEAD).read_text()
        except FileNotFoundError:
            return None, None, None
        except OSError as e:
            return None, None, f"HEAD unreadable ({e})"
        try:
            head = json.loads(raw)
            v, pin = head["version"], head.get("manifest_sha256")
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"bad version {v!r}")
            if pin is not None and not (isinstance(pin, str) and len(pin) == 64):
                raise ValueError(f"bad manifest_sha256 {pin!r}")
            return v, pin, None
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return None, None, f"HEAD file corrupt ({e.__class__.__name__}: {e})"

    def _write_head(self, version: int) -> None:
        """Make ``version`` live, pinning its manifest's digest."""
        pin = sha256_file(self.version_path(version) / MANIFEST)
        atomic_write_json(self.path / HEAD, {"version": version, "manifest_sha256": pin})

    def latest(self) -> AdapterVersion | None:
        """The HEAD version, verified; rolls back to the newest intact older version if it is damaged.

        A rollback is noted in :attr:`events` and ``HEAD`` is rewritten to the good version. Returns
        None when there is no version, or none verifies. A corrupt ``HEAD`` counts as missing: then
        the highest version that verifies is used (and ``HEAD`` rewritten to it).
        """
        with self._lock(create=False):
            return self._latest_locked()

    def _latest_locked(self) -> AdapterVersion | None:
        head, pin, problem = self._read_head()
        failures: list[str] = []
        if head is not None:
            try:
                return self.get(head, manifest_sha256=pin)
            except (AdapterIntegrityError, OSError) as e:
                failures.append(self._failure_note(head, e))
            candidates = [v for v in self.versions() if v < head]
        else:
            candidates = self.versions()
            if not candidates:
                if problem:
                    self.note(f"{problem}; no adapter versions exist")
                return None
            if problem is None:
                problem = "HEAD missing"
        for v in sorted(candidates, reverse=True):
            try:
                good = self.get(v)
            except (AdapterIntegrityError, OSError) as e:
                failures.append(self._failure_note(v, e))
                continue
            what = "; ".join(filter(None, [problem if head is None else None, *failures]))
            if head is not None or failures:
                self.note(f"{what}; rolled back to {_vname(v)}")
            else:
                self.note(f"{what}; using {_vname(v)}, the highest version that verifies")
            try:
                self._write_head(v)
            except OSError as e:  # still return the good version; next load re-checks
                log.warning("could not rewrite HEAD of thread %r to %s: %s", self.thread_id, _vname(v), e)
            return good
        what = "; ".join(filter(None, [problem if head is None else None, *failures]))
        self.note(f"{what}; no older version verifies, so no adapter is loaded")
        return None

    @staticmethod
    def _failure_note(version: int, e: BaseException) -> str:
        if isinstance(e, AdapterIntegrityError):
            if e.check == "missing":
                return f"{_vname(version)} is missing {e.file}"
            check = {"pickle": "safetensors-only"}.get(e.check, e.check)
            return f"{_vname(version)} failed its {check} check ({e.file})"
        return f"{_vname(version)} could not be read ({e})"

    def note(self, msg: str) -> None:
        """Record a human-readable event (rollbacks, sleeps not published) in :attr:`events` and the log."""
        self._events.append(msg)
        log.warning("adapters of thread %r: %s", self.thread_id, msg)

    def history(self) -> list[dict]:
        """The manifests of all versions, ascending, each with ``"version"`` and ``"status"``
        (``"ok"`` or ``"corrupt"``; corrupt ones also carry ``"error"``)."""
        out = []
        for v in self.versions():
            try:
                manifest = self._read_manifest(v)
            except (AdapterIntegrityError, OSError) as e:
                out.append({"version": v, "status": "corrupt", "error": str(e)})
                continue
            entry = dict(manifest, version=v)
            try:
                self._verify(v, manifest)
                entry["status"] = "ok"
            except (AdapterIntegrityError, OSError) as e:
                entry["status"], entry["error"] = "corrupt", str(e)
            out.append(entry)
        return out

    # ---- writing --------------------------------------------------------------------------------
    def _lock(self, create: bool = True):
        """The publish lock (:func:`.locks.publish_lock`)."""
        return publish_lock(self.path, create)

    def sleeping(self, wait: bool = True):
        """Held by a sleep and a forget's rebuild for their whole run (:func:`.locks.sleep_lock`)."""
        return sleep_lock(self.path, self.thread_id, wait)

    def _clean_leftovers(self) -> None:
        for e in os.scandir(self.path):
            if e.name.startswith(TMP_PREFIX) and e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)
            elif e.name.startswith(f".{HEAD}.") and e.name.endswith(".tmp"):  # atomic_write leftovers
                with contextlib.suppress(OSError):
                    os.unlink(e.path)

    def publish(self, write_adapter: Callable[[Path], None], manifest: dict, *,
                parent=ANY_PARENT) -> AdapterVersion:
        """Write a new version with ``write_adapter(tmp_dir)`` and make it the HEAD.

        ``parent``: the version (or None: the base model) the new one was trained from; if another is
        live by now, :class:`AdapterConflictError` is raised and nothing is written (compare-and-swap:
        a rollback during a sleep is never lost).

        ``manifest`` (JSON-serialisable) is stored with ``version``, ``parent``, ``created``,
        ``files`` (sha256 and bytes of each file) and ``thread_id`` added. If anything fails the
        temp folder is removed, ``HEAD`` is untouched and the exception propagates (an OSError is
        re-raised with a clearer message, same errno, the original as ``__cause__``).
        """
        with self._lock(create=True):
            self._clean_leftovers()
            prev = self._latest_locked()
            live = prev.version if prev else None
            if parent is not ANY_PARENT and live != parent:
                raise AdapterConflictError(
                    f"thread {self.thread_id!r}: the live adapter changed from "
                    f"{_vname(parent) if parent else 'the base model'} to {_vname(live) if live else 'the base model'}"
                    " while this version was trained (a rollback or forget); not published")
            taken = list(self._version_dirs())
            head = self._read_head()[0]
            n = max([*taken, head or 0, 0]) + 1
            final = self.version_path(n)
            tmp = Path(tempfile.mkdtemp(dir=self.path, prefix=TMP_PREFIX))
            renamed = False
            try:
                write_adapter(tmp)
                files = self._collect(tmp)
                full = dict(manifest)
                full.update(version=n, parent=prev.version if prev else None,
                            created=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                            files=files, thread_id=self.thread_id)
                atomic_write_json(tmp / MANIFEST, full)  # writes, fsyncs the file and the folder
                for sub in sorted({p.parent for p in tmp.rglob("*") if p.is_file()}):
                    fsync_dir(sub)
                crash_point("publish_before_rename")  # complete, still in .tmp-*
                os.rename(tmp, final)
                renamed = True
                fsync_dir(self.path)
                crash_point("publish_before_head")  # vNNNN exists, HEAD still names the previous version
                self._write_head(n)
            except BaseException as e:
                shutil.rmtree(tmp, ignore_errors=True)
                if renamed and self._read_head()[0] != n:
                    shutil.rmtree(final, ignore_errors=True)
                    with contextlib.suppress(OSError):
                        fsync_dir(self.path)
                if isinstance(e, OSError):
                    keep = f"{_vname(prev.version)} stays live" if prev else "no version was made live"
                    raise OSError(e.errno, f"could not publish adapter {_vname(n)} of thread "
                                           f"{self.thread_id!r} in {self.path}: {e.strerror or e} "
                                           f"({keep})") from e
                raise
            return AdapterVersion(version=n, path=final, manifest=full)

    def rollback(self, version: int) -> AdapterVersion:
        """Make the published ``version`` live (verified first; atomically, as a publish does) and
        record it in the event log. The next sleep continues from it."""
        with self._lock(create=False):
            target = self.get(int(version))  # FileNotFoundError / AdapterIntegrityError name the problem
            before = self._read_head()[0]
            self._write_head(target.version)
            append_event(self.path, "rollback", {"from": before, "to": target.version})
            self.note(f"rolled back from {_vname(before) if before else 'the base model'} to {target.name}")
        return target

    def delete_versions(self, versions: list[int]) -> None:
        """Remove these versions' folders (never the live one): what :func:`sleep_agent.memory_admin.forget`
        does with versions that hold a forgotten fact, so no rollback can bring it back."""
        with self._lock(create=False):
            head = self._read_head()[0]
            if head in versions:
                raise ValueError(f"refusing to delete {_vname(head)} of thread {self.thread_id!r}: it is live")
            for v in versions:
                shutil.rmtree(self.version_path(v), ignore_errors=True)
            fsync_dir(self.path)

    def event_log(self) -> list[dict]:
        """Every rollback and forget recorded for this thread, oldest first (:mod:`.events`)."""
        return read_events(self.path)

    def _collect(self, folder: Path) -> dict[str, dict]:
        files: dict[str, dict] = {}
        for p in sorted(folder.rglob("*")):
            rel = p.relative_to(folder).as_posix()
            if p.is_symlink():
                raise AdapterPublishError(f"refusing to publish symlink {rel} in an adapter folder")
            if p.is_dir():
                continue
            if not p.is_file():
                raise AdapterPublishError(f"refusing to publish {rel}: not a regular file")
            if p.suffix.lower() in FORBIDDEN_SUFFIXES:
                raise AdapterPublishError(
                    f"refusing to publish pickle file {rel}: adapters must be saved as safetensors only "
                    "(save_pretrained(..., safe_serialization=True))")
            if rel == MANIFEST:
                raise AdapterPublishError(f"write_adapter must not write {MANIFEST}: the store writes it")
            _fsync_file(p)
            files[rel] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        missing = [r for r in REQUIRED_FILES if r not in files]
        if missing:
            raise AdapterPublishError(
                f"refusing to publish: write_adapter wrote no {', '.join(missing)} "
                f"(wrote: {', '.join(files) or 'nothing'})")
        return files
