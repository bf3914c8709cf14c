"""Run settings of the agent, in one place, each with the reason for its default.

``AgentSettings`` holds the defaults given to ``build_agent``; its ``sleep`` field is the one
:class:`SleepConfig` that the graph, the evals and the benchmarks hand to the sleep as is. A run
overrides any setting through its context (``invoke(..., context={"context_budget": 600})``; in
Studio, the run's context), typed by ``AgentContext``, the graph's ``context_schema``: every field,
all optional, so what a run leaves out keeps the build-time value. The sleep's knobs can be given
nested (``{"sleep": {"passes": 4}}``) or flat (``{"sleep_passes": 4}``, see :data:`FLAT_SLEEP_KEYS`).
A bad value stops the run at the start with an error that names the field and the allowed values.

Measurements behind the defaults live in ``docs/`` with the commands that produced them.

Example::

    >>> s = AgentSettings.from_any({"context_budget": 1024, "sleep_passes": 4})
    >>> s.sleep.passes, s.sleep.alpha
    (4, 32)
"""

from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, field, fields, replace

from typing_extensions import TypedDict

from .names import MEMORY_NAMES, MemoryName

__all__ = ["AgentContext", "AgentSettings", "FLAT_SLEEP_KEYS", "SettingsError", "SleepConfig"]

# Run-context keys that set a sleep knob directly (Studio shows flat fields; scripts used them first).
FLAT_SLEEP_KEYS = {"sleep_passes": "passes", "sleep_lr": "lr", "lora_rank": "rank", "sleep_distill": "distill"}
_FLAT_NAME = {v: k for k, v in FLAT_SLEEP_KEYS.items()}


class SettingsError(ValueError):
    """A settings value outside its allowed range; the message names the field."""


def _need(ok: bool, name: str, value, allowed: str) -> None:
    if not ok:
        raise SettingsError(f"invalid setting {name}={value!r}: allowed {allowed}")


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass
class SleepConfig:
    """How one sleep trains and checks the thread's LoRA adapter (sleep_agent.consolidation).

    Args:
        passes: sleep duration N, passes over the sleep data (the paper's N, arXiv 2605.26099). More
            is not always better on a small model: past convergence it drifts (see ``stop_loss``).
        lr: AdamW learning rate of the LoRA weights. Trap: a rate that recalls everything after one
            sleep can, chained over several sleeps, break the model as an agent (garbage replies).
        rank: LoRA rank on every linear layer.
        alpha: LoRA scale numerator (``alpha / rank`` multiplies the update); ``None`` = ``2 * rank``.
        target_modules: layers that get LoRA; "all-linear" is the starting recipe.
        batch_size: examples per optimizer step. Sleep data is many short examples, and small batches
            give more steps per pass, which recall needs.
        stop_loss: adaptive stop: after a pass whose mean loss is under this, stop. Training far past
            convergence makes the woken model babble; 0 disables it.
        seed: shuffling and sampling seed, so a sleep is reproducible.
        validate: after training, ask held-out, retained, general and unknown questions, and keep the
            previous version when general knowledge or earlier facts got worse. Off: nothing is asked
            (the manifest's validation is empty) and every sleep is published.
        tolerance: questions a check may lose before it counts as worse. The checks are 4-8
            questions, so 0 would refuse a sleep over one flipped answer.
        pack: concatenate each step's examples into one row (attention stays inside each example)
            instead of padding them. Off: without a varlen attention kernel the block-diagonal mask
            costs more than the padding it saves on short, alike examples (docs/performance.md).
        distill: weight of context distillation on questions about the new window (0 = off; 1 = the
            teacher's distribution alone). The teacher is the model with the window in context and
            the adapter off. Trap: it is only as good as the model reading its own context, which
            for the 0.5B model is worse than the plain answers (docs/retention-*-distill*.md).
        self_study: 0 = off; else at most this many chunks of the window's free text (tool results
            that are not JSON, user messages, the agent's notes) the model reads, adapter off, to
            write question/answer pairs about, each checked against its chunk
            (:mod:`sleep_agent.consolidation.self_study`). Trap: each chunk costs about
            ``STUDY_TOKENS`` generated tokens before training starts; JSON-only windows cost nothing.
        rephrase: 0 = off; else at most this many questions per relation the model writes in its own
            words, adapter off, each checked back, and trains for every fact with that relation
            (:mod:`sleep_agent.consolidation.rephrase`): without them an adapter answers the field's
            wording ("the city of X") but not a person's ("Where does X live?"). Trap: each kept
            question is one more training example per fact of its relation, so training time grows
            by up to ``rephrase / 4``; generating costs a few seconds per sleep.
        in_context: also train some new questions asked after a few turns of the evicted window as
            text, the way the agent's recall and the evals ask (:mod:`sleep_agent.consolidation.in_context`):
            trained only on bare questions, the woken 0.5B model copied a value from the text in front
            of a question instead of answering from its weights. Trap: each such example is ~250
            tokens; their number is a share of the new examples, capped per sleep.
    """

    passes: int = 2
    lr: float = 2e-4
    rank: int = 16
    alpha: int | None = None
    target_modules: str | list[str] = "all-linear"
    batch_size: int = 2
    stop_loss: float = 0.02
    seed: int = 0
    validate: bool = True
    tolerance: int = 1
    pack: bool = False
    distill: float = 0.0
    self_study: int = 8
    rephrase: int = 3
    in_context: bool = True

    def __post_init__(self):
        if self.alpha is None:
            self.alpha = 2 * self.rank if _is_int(self.rank) else None
        self.validate_values()

    def validate_values(self) -> "SleepConfig":
        def need(ok: bool, name: str, allowed: str):
            flat = f" (run-context key {_FLAT_NAME[name]})" if name in _FLAT_NAME else ""
            _need(ok, f"sleep.{name}{flat}", getattr(self, name), allowed)

        need(_is_int(self.passes) and 1 <= self.passes <= 64, "passes", "1..64")
        need(_is_num(self.lr) and 0 < self.lr <= 1e-2, "lr", "0 < lr <= 0.01")
        need(_is_int(self.rank) and 1 <= self.rank <= 256, "rank", "1..256")
        need(_is_int(self.alpha) and 1 <= self.alpha <= 4096, "alpha", "1..4096")
        need(isinstance(self.target_modules, (str, list)), "target_modules", '"all-linear" or a list of names')
        need(_is_int(self.batch_size) and 1 <= self.batch_size <= 1024, "batch_size", "1..1024")
        need(_is_num(self.stop_loss) and 0 <= self.stop_loss < 10, "stop_loss", "0..10")
        need(_is_int(self.seed), "seed", "an integer")
        need(isinstance(self.validate, bool), "validate", "true or false")
        need(_is_int(self.tolerance) and 0 <= self.tolerance <= 100, "tolerance", "0..100")
        need(isinstance(self.pack, bool), "pack", "true or false")
        need(_is_num(self.distill) and 0 <= self.distill <= 1, "distill", "0..1")
        need(_is_int(self.self_study) and 0 <= self.self_study <= 256, "self_study", "0..256 chunks")
        need(_is_int(self.rephrase) and 0 <= self.rephrase <= 16, "rephrase", "0..16 questions per relation")
        need(isinstance(self.in_context, bool), "in_context", "true or false")
        return self

    @classmethod
    def from_any(cls, value, base: "SleepConfig | None" = None) -> "SleepConfig":
        """A SleepConfig, or a dict of some of its fields applied over ``base`` (default: defaults)."""
        if isinstance(value, cls):
            return value.validate_values()
        if value is None:
            return base or cls()
        if not isinstance(value, dict):
            raise SettingsError(f"sleep settings must be a SleepConfig or a dict, not {type(value).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise SettingsError(f"unknown sleep setting(s) {', '.join(unknown)}: allowed {', '.join(sorted(known))}")
        start = asdict(base) if base else {}
        if "rank" in value and "alpha" not in value:
            start.pop("alpha", None)  # a new rank with the default scale, not the old rank's alpha
        return cls(**{**start, **value})

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AgentSettings:
    # Which memory handles an overflowing window (sleep_agent.memory).
    memory: MemoryName = "sleep"
    # Tokens the rendered prompt may use (template and tool schemas included). Small by default so
    # long tasks overflow on a CPU in minutes; raise it towards the model's window for real work.
    context_budget: int = 2048
    # Overflow handling starts past this share of the budget, leaving room for the model's reply and
    # the next tool result.
    high_water: float = 0.85
    # Whole turns (an assistant tool call with its results) kept in the window after a sleep or cut,
    # so the agent remembers what it was just doing.
    keep_last_turns: int = 2
    # Least share of the budget a sleep evicts, keeping fewer turns if needed: a sleep costs about the
    # same whatever it consolidates, so a sleep over one small turn is mostly waste
    # (docs/memory-steps.md).
    min_sleep_share: float = 0.25
    # Share of the budget the sleep memory's recollection block may take in the prompt
    # (memory/recollection.py): what the adapter says about the names in the task and the latest
    # turns. 0 turns it off. Trap: the window's high-water mark counts the block, so a large share
    # leaves fewer turns between sleeps.
    recollection_share: float = 0.15
    # Decode the agent's own replies with the thread's adapter on. Off (the default), the adapter is
    # the memory and is read through the recollection block and the recall tool (both decode with
    # it on), while the agent's replies decode with the base model, so a sleep never costs the agent
    # its skills. Measured on the demo (docs/demo.md): with the adapter on and the old final-answer
    # note, the woken 0.5B model echoed its task although the block held the right city; with it off
    # it answered. With the note that restates the task, the last step asked with the adapter on was
    # right in 10 of 10 runs against 8 of 10 for this default (docs/demo-final-prompt.md); but in the
    # whole loop (3 seeds) the woken adapter-on model stopped calling tools after the first wake and
    # answered having read 4 of 7 records, where this default read all 7 in every run.
    act_with_adapter: bool = False
    # How the sleep trains and validates the adapter (SleepConfig documents each knob).
    sleep: SleepConfig = field(default_factory=SleepConfig)
    # Fold the adapter into the base weights while awake (models/fold.py): woken decoding runs a plain
    # model, as fast as the base, for a copy of the adapted layers' weights (~0.7 GB for the 0.5B
    # model; docs/performance.md). Turn it off where memory is tighter than decode time. Only used
    # with act_with_adapter: otherwise the agent decodes with the base and nothing is folded.
    merge_adapter: bool = True
    # Agent steps (model calls) before the run stops, so a looping model cannot run forever.
    max_steps: int = 60
    # Tool calls executed per reply; extra calls are dropped. Small models emit runs of duplicated
    # calls, and one per step keeps the trajectory coherent. Raise it for models that use parallel
    # calls well.
    max_tool_calls_per_step: int = 1
    # Longest reply per model call.
    max_new_tokens: int = 256
    # Characters of one tool result kept in the window; longer results get an explicit marker.
    max_tool_result_chars: int = 2000
    # vector memory: chunks retrieved before each model call; a few short chunks cover a fact and its
    # neighbours without crowding a small window.
    vector_k: int = 4
    # vector memory: characters per stored chunk (whole turns packed up to it, ~100 tokens), so
    # several fit the retrieved share of a small budget.
    vector_chunk_chars: int = 400
    # vector memory: share of the budget the retrieved block may take. Too high and retrieval itself
    # overflows the window and forces more evictions.
    vector_budget_share: float = 0.25
    # summary memory: longest running summary, in tokens (also the summariser's reply limit).
    summary_max_tokens: int = 200

    def __post_init__(self):
        self.validate()

    def validate(self) -> "AgentSettings":
        def need(ok: bool, name: str, allowed: str):
            _need(ok, name, getattr(self, name), allowed)

        need(self.memory in MEMORY_NAMES, "memory", "one of " + ", ".join(MEMORY_NAMES))
        need(_is_int(self.context_budget) and 256 <= self.context_budget <= 1_000_000,
             "context_budget", "an integer in 256..1000000")
        need(_is_num(self.high_water) and 0.1 <= self.high_water <= 1.0, "high_water", "0.1..1.0")
        need(_is_int(self.keep_last_turns) and 0 <= self.keep_last_turns <= 100, "keep_last_turns", "0..100")
        need(_is_num(self.min_sleep_share) and 0 <= self.min_sleep_share <= 0.9, "min_sleep_share", "0..0.9")
        need(_is_num(self.recollection_share) and 0 <= self.recollection_share <= 0.5, "recollection_share",
             "0..0.5")
        need(isinstance(self.sleep, SleepConfig), "sleep", "a SleepConfig (or a dict of its fields)")
        self.sleep.validate_values()
        need(isinstance(self.merge_adapter, bool), "merge_adapter", "true or false")
        need(isinstance(self.act_with_adapter, bool), "act_with_adapter", "true or false")
        need(_is_int(self.max_steps) and 1 <= self.max_steps <= 10_000, "max_steps", "1..10000")
        need(_is_int(self.max_tool_calls_per_step) and 1 <= self.max_tool_calls_per_step <= 64,
             "max_tool_calls_per_step", "1..64")
        need(_is_int(self.max_new_tokens) and 1 <= self.max_new_tokens <= 8192, "max_new_tokens", "1..8192")
        need(_is_int(self.max_tool_result_chars) and 100 <= self.max_tool_result_chars,
             "max_tool_result_chars", ">= 100")
        need(_is_int(self.vector_k) and 1 <= self.vector_k <= 50, "vector_k", "1..50")
        need(_is_int(self.vector_chunk_chars) and 100 <= self.vector_chunk_chars <= 20_000,
             "vector_chunk_chars", "100..20000")
        need(_is_num(self.vector_budget_share) and 0.05 <= self.vector_budget_share <= 0.6,
             "vector_budget_share", "0.05..0.6")
        need(_is_int(self.summary_max_tokens) and 32 <= self.summary_max_tokens <= 2048,
             "summary_max_tokens", "32..2048")
        return self

    def merged(self, overrides: dict | None) -> "AgentSettings":
        """These settings with ``overrides`` applied: top-level fields, a partial ``sleep`` dict, and
        flat sleep keys (:data:`FLAT_SLEEP_KEYS`, applied last). Unknown keys are an error."""
        if not overrides:
            return self
        if not isinstance(overrides, dict):
            raise SettingsError(f"settings must be AgentSettings or a dict, not {type(overrides).__name__}")
        overrides = dict(overrides)
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known - set(FLAT_SLEEP_KEYS))
        if unknown:
            raise SettingsError(f"unknown setting(s) {', '.join(unknown)}: allowed "
                                f"{', '.join(sorted(known | set(FLAT_SLEEP_KEYS)))}")
        sleep = SleepConfig.from_any(overrides.pop("sleep", None), base=self.sleep)
        flat = {FLAT_SLEEP_KEYS[k]: overrides.pop(k) for k in list(overrides) if k in FLAT_SLEEP_KEYS}
        if flat:
            sleep = SleepConfig.from_any(flat, base=sleep)
        return replace(self, **overrides, sleep=sleep)

    @classmethod
    def from_any(cls, value) -> "AgentSettings":
        """Accept an AgentSettings, a dict (unknown keys are an error), or None (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value.validate()
        return cls().merged(value)

    def to_dict(self) -> dict:
        return asdict(self)


# The run-context schema (see the module docstring): every field optional, the sleep's knobs also flat.
_CONTEXT_FIELDS = {k: v for k, v in typing.get_type_hints(AgentSettings).items() if k != "sleep"}
_CONTEXT_FIELDS["sleep"] = dict  # some of SleepConfig's fields
_CONTEXT_FIELDS.update({flat: typing.get_type_hints(SleepConfig)[name] for flat, name in FLAT_SLEEP_KEYS.items()})
AgentContext = TypedDict("AgentContext", _CONTEXT_FIELDS, total=False)
