"""The state of a registry model on this machine: installed, verified, converted, and how big.

Kept apart from :mod:`.registry` because it reads the conversion stamp, and :mod:`.conversion`
itself builds on the registry; here both are plain imports.

Example::

    >>> from sleep_agent.models.registry import get_spec
    >>> model_status(get_spec("qwen2.5-coder-0.5b")).installed
    True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .conversion import read_stamp
from .registry import DEFAULT_MODEL, ModelNotInstalledError, ModelSpec, part_paths

__all__ = ["ModelStatus", "model_status"]


@dataclass
class ModelStatus:
    name: str
    description: str
    installed: bool
    verified: bool           # the GGUF matched its pinned sha256 when it was converted
    converted: bool
    file_digests: bool       # the conversion recorded each file's sha256; every load re-hashes them
    gguf_bytes: int
    converted_bytes: int
    cache_dir: str
    install_command: str
    default: bool

    def to_dict(self) -> dict:
        return asdict(self)


def model_status(spec: ModelSpec) -> ModelStatus:
    """State of one model without hashing anything (``verified`` comes from the conversion stamp)."""
    try:
        parts = part_paths(spec)
        installed, gguf_bytes = True, sum(p.stat().st_size for p in parts)
    except ModelNotInstalledError:
        installed, gguf_bytes = False, 0
    stamp = read_stamp(spec)
    converted = stamp is not None
    converted_bytes = sum(f.stat().st_size for f in spec.cache_dir.glob("*") if f.is_file()) if converted else 0
    return ModelStatus(
        name=spec.name,
        description=spec.description,
        installed=installed,
        verified=bool(stamp and stamp.get("sha256") == spec.sha256),
        converted=converted,
        file_digests=bool(stamp and isinstance(stamp.get("files"), dict) and stamp["files"]),
        gguf_bytes=gguf_bytes,
        converted_bytes=converted_bytes,
        cache_dir=str(spec.cache_dir),
        install_command=spec.install_command,
        default=spec.name == DEFAULT_MODEL,
    )
