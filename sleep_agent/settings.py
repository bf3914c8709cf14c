"""Run settings of the agent, in one place, each with the reason for its default.

``AgentSettings`` holds the defaults given to ``build_agent``. A run overrides any of them through its
context (``invoke(..., context={"context_budget": 600})``; in Studio, the run's context), typed by
``AgentContext``, the graph's ``context_schema``: a TypedDict of the same fields, all optional, so
that what a run leaves out keeps the build-time value. A bad value stops the run at the start with
an error that names the field and the allowed values.
"""

from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, fields

from typing_extensions import TypedDict

__all__ = ["AgentContext", "AgentSettings", "SettingsError", "MEMORY_STRATEGIES"]

MEMORY_STRATEGIES = ("sleep", "vector", "summary", "window", "full")


class SettingsError(ValueError):
    """A settings value outside its allowed range; the message names the field."""


@dataclass
class AgentSettings:
    # Which memory handles an overflowing window (see sleep_agent.memory).
    memory: str = "sleep"
    # Tokens the rendered prompt may use (template and tool schemas included). Small by default so
    # long tasks overflow on CPU in minutes; raise it towards the model's window for real work.
    context_budget: int = 2048
    # Overflow handling starts when the prompt passes this share of the budget, leaving room for
    # the model's reply and the next tool result.
    high_water: float = 0.85
    # Whole turns (an assistant tool call with its results) kept in the window after a sleep or cut,
    # so the agent remembers what it was just doing.
    keep_last_turns: int = 2
    # Least share of context_budget a sleep evicts: fewer turns are kept when the last
    # keep_last_turns turns would leave less to consolidate. A sleep costs about the same whatever
    # it consolidates (minutes on a CPU), and when the fixed prompt (system, tool schemas, wake
    # note) fills most of a small budget, keeping 2 turns made the demo sleep at every step
    # (6 sleeps in 9 steps at a 600-token budget). Re-measured with one kept turn it is still 6 in 9
    # (docs/memory-steps.md): after a sleep the fixed prompt leaves under one turn of room, so only
    # a larger budget helps there. (Putting sleeps off until the budget itself is reached cut that to
    # 1 sleep, but the woken agent then read 3 of 5 records instead of 5; not kept, same doc.)
    min_sleep_share: float = 0.25
    # Sleep duration N: passes over the sleep data. 2 is where retention saturated in the probes of
    # DESIGN.md section 4 on the 0.5B model (N=4 was no better and hallucinated more).
    sleep_passes: int = 2
    # LoRA learning rate. 5e-4 recalled every held-out fact after one sleep but, chained over 2-4
    # sleeps, broke the 0.5B model as an agent (garbage replies); 2e-4 kept it calling tools through
    # 3 sleeps with 75-100% held-out recall per sleep (demo runs, see the README).
    sleep_lr: float = 2e-4
    # Context distillation weight (SleepTrainConfig.distill): the student also matches the model's
    # own answer distribution with the window in context. 0 = off: on the 0.5B model the
    # in-context answer it teaches is right on 38% of 1-hop questions (the retention
    # benchmark's ceiling), and measured at 0.5 it cut 1-hop recall from 0.96 to 0.67 at N=2
    # (docs/retention-qwen2.5-coder-0.5b-distill0.5.md). `sleep-agent bench retention --distill W`.
    sleep_distill: float = 0.0
    # Fold the thread's adapter into the base weights while awake (models/fold.py): woken decode
    # then runs a plain model, as fast as the base (1.03x; unfolded 0.50x on an H100 and 0.87x on
    # 2 CPU cores, docs/performance.md). Costs a copy of the adapted layers' original weights while
    # folded, so the next sleep starts from the exact base: ~0.7 GB of weights for the 0.5B model,
    # +1.0 GB peak RSS in the CPU soak test. Turn it off where memory is tighter than decode time.
    merge_adapter: bool = True
    # LoRA rank; r=16 on all linear layers is the starting recipe (DESIGN.md section 4).
    lora_rank: int = 16
    # Agent steps (model calls) before the run stops, so a looping model cannot run forever.
    max_steps: int = 60
    # Tool calls executed per model reply; extra calls are dropped from the reply. Small local models
    # emit runs of duplicated calls (qwen2.5-coder-0.5b: 21 at once); one per step keeps the
    # trajectory coherent. Raise it for models that use parallel calls well.
    max_tool_calls_per_step: int = 1
    # Longest reply per model call.
    max_new_tokens: int = 256
    # Characters of one tool result kept in the window; longer results get an explicit marker.
    max_tool_result_chars: int = 2000
    # vector memory: chunks retrieved before each model call. 4 short chunks cover a fact and its
    # neighbours without crowding the window of a 2k budget.
    vector_k: int = 4
    # vector memory: characters per stored chunk. Whole turns are packed up to this size (a turn
    # longer than it is stored alone), so a tool call always stays with its result. ~100 tokens:
    # several fit the retrieved share of a small budget (a 600-token budget leaves 150).
    vector_chunk_chars: int = 400
    # vector memory: share of context_budget the retrieved block may take; lower-ranked chunks are
    # dropped to fit. Too high and retrieval itself overflows the window and forces more evictions.
    vector_budget_share: float = 0.25
    # summary memory: longest running summary, in tokens (also the summariser's reply limit).
    summary_max_tokens: int = 200

    def __post_init__(self):
        self.validate()

    def validate(self) -> "AgentSettings":
        def need(ok: bool, field: str, allowed: str):
            if not ok:
                raise SettingsError(f"invalid setting {field}={getattr(self, field)!r}: allowed {allowed}")

        need(self.memory in MEMORY_STRATEGIES, "memory", "one of " + ", ".join(MEMORY_STRATEGIES))
        need(isinstance(self.context_budget, int) and 256 <= self.context_budget <= 1_000_000,
             "context_budget", "an integer in 256..1000000")
        need(isinstance(self.high_water, (int, float)) and 0.1 <= self.high_water <= 1.0, "high_water", "0.1..1.0")
        need(isinstance(self.keep_last_turns, int) and 0 <= self.keep_last_turns <= 100, "keep_last_turns", "0..100")
        need(isinstance(self.min_sleep_share, (int, float)) and 0 <= self.min_sleep_share <= 0.9,
             "min_sleep_share", "0..0.9")
        need(isinstance(self.sleep_passes, int) and 1 <= self.sleep_passes <= 64, "sleep_passes", "1..64")
        need(isinstance(self.sleep_lr, (int, float)) and 0 < self.sleep_lr <= 1e-2, "sleep_lr", "0 < lr <= 0.01")
        need(isinstance(self.sleep_distill, (int, float)) and 0 <= self.sleep_distill <= 1, "sleep_distill", "0..1")
        need(isinstance(self.merge_adapter, bool), "merge_adapter", "true or false")
        need(isinstance(self.lora_rank, int) and 1 <= self.lora_rank <= 256, "lora_rank", "1..256")
        need(isinstance(self.max_steps, int) and 1 <= self.max_steps <= 10_000, "max_steps", "1..10000")
        need(isinstance(self.max_tool_calls_per_step, int) and 1 <= self.max_tool_calls_per_step <= 64,
             "max_tool_calls_per_step", "1..64")
        need(isinstance(self.max_new_tokens, int) and 1 <= self.max_new_tokens <= 8192, "max_new_tokens", "1..8192")
        need(isinstance(self.max_tool_result_chars, int) and 100 <= self.max_tool_result_chars,
             "max_tool_result_chars", ">= 100")
        need(isinstance(self.vector_k, int) and 1 <= self.vector_k <= 50, "vector_k", "1..50")
        need(isinstance(self.vector_chunk_chars, int) and 100 <= self.vector_chunk_chars <= 20_000,
             "vector_chunk_chars", "100..20000")
        need(isinstance(self.vector_budget_share, (int, float)) and 0.05 <= self.vector_budget_share <= 0.6,
             "vector_budget_share", "0.05..0.6")
        need(isinstance(self.summary_max_tokens, int) and 32 <= self.summary_max_tokens <= 2048,
             "summary_max_tokens", "32..2048")
        return self

    @classmethod
    def from_any(cls, value) -> "AgentSettings":
        """Accept an AgentSettings, a dict (unknown keys are an error), or None (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value.validate()
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise SettingsError(f"unknown setting(s) {', '.join(unknown)}: allowed {', '.join(sorted(known))}")
            return cls(**value)
        raise SettingsError(f"settings must be AgentSettings or a dict, not {type(value).__name__}")

    def to_dict(self) -> dict:
        return asdict(self)


# The run-context schema: every AgentSettings field, optional (see the module docstring).
AgentContext = TypedDict("AgentContext", typing.get_type_hints(AgentSettings), total=False)
