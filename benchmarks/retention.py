"""Retention benchmark: after a sleep, does the model know what was in its window?

``sleep-agent bench retention`` runs, on one model:

1. **floor**: the base model, no adapter, no context (should be ~0: the names are made up);
2. **ceiling**: the base model with the whole trajectory (~2k tokens) in context;
3. **by_passes**: one sleep over the trajectory, measured after pass N for each requested N (one
   training run, evaluated at pass boundaries: with a constant learning rate this is the same as
   separate sleeps of N passes; adaptive stopping may end it earlier, then larger N report the
   stopped adapter and ``passes_done`` says so);
4. **after_sleeps**: a fresh thread sleeps over window 1, then over windows 2, 3, 4 (new entities);
   window 1's 1-hop accuracy after sleeps 1, 2 and 4 measures forgetting across sleeps;
5. controls: general knowledge before/after (:data:`~.controls.BENCH_GENERAL`, never trained on) and the
   share of questions about never-seen names answered "no record"; each with the entity gate
   (the product's default: questions naming no consolidated entity go to the base model, see
   :mod:`sleep_agent.consolidation.gate`) and without it (``*_ungated``: the adapter alone).

6. **vector**: the ``vector`` memory's chromadb collection of the trajectory's chunks, top-k retrieved
   into the base model's prompt per question; ``vector_notes_2hop`` also stores the derived notes the
   sleep trains on (how much of sleep's 2-hop gain is the derivation rather than the weights).

Questions use held-out phrasings (see :mod:`.world`).

Example::

    >>> result = run_retention(model="smollm2-135m", passes=[1, 2])
    >>> result["by_passes"][2]["1hop"]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sleep_agent.adapters import Thread
from sleep_agent.consolidation import (QA_SYSTEM_PROMPT, EntityGate, answer_questions, consolidate, first_sentence,
                             derive_chains, extract_facts, general_correct, is_correct, is_unknown_reply,
                             unknown_examples)
from sleep_agent.consolidation.anchors import unknown_name
from sleep_agent.consolidation.dataset import TEMPLATES
from sleep_agent.memory.chunks import chunk_turns
from sleep_agent.models.messages import to_template_dicts
from sleep_agent.settings import AgentSettings, SleepConfig

from .controls import BENCH_GENERAL
from .world import Question, World

__all__ = ["run_retention", "DEFAULT_PASSES", "format_table"]

SYSTEM_PROMPT = QA_SYSTEM_PROMPT  # questions are asked as the sleep trained them

DEFAULT_PASSES = (1, 2, 4, 8)
PARTS = ("floor", "ceiling", "by_passes", "after_sleeps", "vector")
AFTER_SLEEPS = (1, 2, 4)   # sleeps after which window 1 is asked again
UNKNOWN_QUESTIONS = 16     # never-seen names asked (held out from the sleep's own "no record" examples)


def _accuracy(runtime, questions: Sequence[Question], *, context: list[dict] | None = None,
              check: Callable[[str, str], bool] = is_correct, gate: EntityGate | None = None) -> float:
    """Share of ``questions`` answered right; ``context`` (chat dicts) goes before each question."""
    if not questions:
        return 0.0
    replies = answer_questions(runtime, [q.text for q in questions], SYSTEM_PROMPT, gate=gate,
                               context=context or ())
    return round(sum(check(r, q.answer) for r, q in zip(replies, questions)) / len(questions), 3)


def _vector_accuracy(runtime, questions: Sequence[Question], store_dir: Path, texts: list[str],
                     notes: list[str] = ()) -> float:
    """The ``vector`` memory's answer: the base model with the top-k retrieved chunks in its prompt.

    ``texts`` are the trajectory's chunks as the vector memory stores evicted turns; ``notes`` adds the
    derived statements the sleep trains on (the vector+notes ablation: derivation without weights).
    """
    from sleep_agent.memory import MemoryContext, VectorMemory
    from sleep_agent.models import LocalChatModel

    mem, llm = VectorMemory(), LocalChatModel.from_runtime(runtime)
    ctx = MemoryContext(AgentSettings(memory="vector"), Thread("vector-baseline", store_dir), llm)
    mem.store(ctx).add(texts)
    if notes:
        mem.store(ctx).add(list(notes), kind="notes")
    prompts = [runtime.render([{"role": "system", "content": f"{SYSTEM_PROMPT}\n\n{mem.retrieve(q.text, ctx) or ''}"},
                               {"role": "user", "content": q.text}]) for q in questions]
    replies = [first_sentence(r) for r in runtime.generate_batch(prompts, max_new_tokens=24)]
    return round(sum(is_correct(r, q.answer) for r, q in zip(replies, questions)) / max(1, len(questions)), 3)


def _bar(label):
    """A training progress bar on stderr (the console's sleep bar)."""
    from sleep_agent.console import SleepBar

    bar = SleepBar(sys.stderr)
    return lambda e: bar.update({**e, "sleep": label})


def _general(runtime, gate: EntityGate | None = None, limit: int | None = None) -> float:
    return _accuracy(runtime, [Question(q, a, 0, "") for q, a in BENCH_GENERAL[:limit]], check=general_correct,
                     gate=gate)


def _unknown(runtime, world: World, gate: EntityGate | None = None, *, heldout: bool = False) -> float:
    """Share of never-seen names answered as unknown (seed far from the sleep's own examples).

    The names are new; the phrasings are those of the sleep's "no record" examples, or with
    ``heldout`` the questions' held-out phrasings (:data:`TEMPLATES`), in which the sleep never shows
    a made-up name (and which the gate's dev set, benchmarks/decline_shots.py, does not use).
    """
    rels = ("city", "employer", "headquarters", "industry")
    if not heldout:
        qs = [e.question for e in unknown_examples(world.names, rels, count=UNKNOWN_QUESTIONS, seed=99_991)]
    else:
        rng, known = random.Random("unknown-heldout"), {n.lower() for n in world.names}
        forms = [t.replace("{relation}", r) for r in rels for t in TEMPLATES["attribute"][1]] + [
            t.replace("{relation}", f"{r} of the employer") for r in rels[2:] for t in TEMPLATES["chain"][1]]
        names = [n for n in (unknown_name(rng) for _ in range(2 * UNKNOWN_QUESTIONS)) if n.lower() not in known]
        qs = [forms[i % len(forms)].format(subject=n) for i, n in enumerate(names[:UNKNOWN_QUESTIONS])]
    return _accuracy(runtime, [Question(q, "", 0, "") for q in qs], check=lambda reply, _: is_unknown_reply(reply),
                     gate=gate)


def run_retention(runtime, *, passes: Sequence[int] = DEFAULT_PASSES, seed: int = 0,
                  sleeps_passes: int | None = None, limit: int | None = None, root: Path | None = None,
                  world_size: tuple[int, int] = (16, 8), parts: Sequence[str] = PARTS,
                  distill: float | None = None, log: Callable[[str], None] = print) -> dict:
    """Run the benchmark on a loaded :class:`LocalRuntime`; returns the JSON-able result.

    ``limit`` caps the questions per kind (quick runs); ``sleeps_passes`` is N for the after-sleeps
    series (default: the agent's ``sleep_passes``); ``world_size`` is (people, companies) per window:
    16 and 8 give 48 one-hop facts, 32 two-hop questions and a ~2k-token trajectory. ``parts`` picks
    sections of :data:`PARTS` (to redo one of them). ``distill``: the sleeps' context-distillation
    weight (default: the agent's ``sleep_distill``).
    """
    unknown_parts = sorted(set(parts) - set(PARTS))
    if unknown_parts:
        raise ValueError(f"unknown part(s) {', '.join(unknown_parts)}: choose from {', '.join(PARTS)}")
    t_start = time.perf_counter()
    settings = AgentSettings()
    sleeps_passes = sleeps_passes or settings.sleep.passes
    people, companies = world_size
    worlds = [World(seed=seed, people=people, companies=companies)]
    for i in range(1, max(AFTER_SLEEPS)):
        worlds.append(World(seed=seed + i, people=people, companies=companies,
                            exclude=frozenset(n for w in worlds for n in w.names)))
    w1 = worlds[0]
    q1, q2 = w1.facts_1hop()[:limit], w1.facts_2hop()[:limit]
    traj = w1.trajectory()
    distill = settings.sleep.distill if distill is None else distill
    config = lambda n: SleepConfig.from_any({"passes": n, "seed": seed, "distill": distill},  # noqa: E731
                                            base=settings.sleep)
    out: dict = {"model": runtime.info.name if runtime.info else "?", "seed": seed, "distill": distill,
                 "facts_1hop": len(q1), "facts_2hop": len(q2),
                 "trajectory_tokens": runtime.count_tokens(to_template_dicts(traj))}

    runtime.deactivate_adapter()
    if "floor" in parts:
        log("floor: base model, no context")
        out["floor_1hop"], out["floor_2hop"] = _accuracy(runtime, q1), _accuracy(runtime, q2)
        out["general_before"], out["unknown_before"] = _general(runtime, limit=limit), _unknown(runtime, w1)
        # With the gate, an unknown name is answered by the base model whatever the adapter: one number.
        out["unknown_heldout_before"] = _unknown(runtime, w1, heldout=True)
        out["unknown_heldout_gated"] = _unknown(runtime, w1, EntityGate(w1.names), heldout=True)
        log(f"  1hop {out['floor_1hop']}  2hop {out['floor_2hop']}  general {out['general_before']}")
    if "ceiling" in parts:
        log("ceiling: base model, whole trajectory in context")
        ctx = to_template_dicts(traj)
        out["ceiling_1hop"] = _accuracy(runtime, q1, context=ctx)
        out["ceiling_2hop"] = _accuracy(runtime, q2, context=ctx)
        log(f"  1hop {out['ceiling_1hop']}  2hop {out['ceiling_2hop']}")

    with tempfile.TemporaryDirectory(dir=root) as tmp:
        if "by_passes" in parts:
            wanted = sorted(set(passes))
            by_passes: dict[int, dict] = {}
            gate = EntityGate(w1.names)  # what the sleep consolidated (tests check extraction finds them all)
            t0, measuring = time.perf_counter(), [0.0]  # measuring time is not billed to the sleep

            def measure(n: int, *, force: bool = False) -> None:
                if n in wanted or force:
                    t = time.perf_counter()
                    by_passes[n] = {"1hop": _accuracy(runtime, q1), "2hop": _accuracy(runtime, q2),
                                    "unknown": _unknown(runtime, w1, gate), "general": _general(runtime, gate, limit),
                                    "unknown_ungated": _unknown(runtime, w1),
                                    "general_ungated": _general(runtime, limit=limit),
                                    "sleep_seconds": round(t - t0 - measuring[0], 1), "passes_done": n}
                    measuring[0] += time.perf_counter() - t
                    log(f"  N={n}: {by_passes[n]}")

            log(f"by_passes: one sleep, measured after passes {wanted}")
            report = consolidate(runtime, Thread("by-passes", tmp).store, traj, config=config(max(wanted)),
                                 on_pass=measure, progress=_bar("N-sweep"))
            if report.passes_done not in by_passes:  # adaptive stopping ended between measured passes
                measure(report.passes_done, force=True)  # the published adapter is active now
            for n in wanted:  # a sleep of N passes that stopped at passes_done < N is that adapter
                if n not in by_passes:
                    stopped = max(k for k in by_passes if k <= max(report.passes_done, min(by_passes)))
                    by_passes[n] = dict(by_passes[stopped])
            out["by_passes"] = {str(n): by_passes[n] for n in wanted}
            out["sleep_report"] = {k: report.to_dict()[k] for k in ("data_parts", "train_tokens", "validation",
                                                                     "rejected", "seconds")}
            last = by_passes[max(wanted)]
            out["general_after"], out["unknown_rate"] = last["general"], last["unknown"]
            out["general_after_ungated"], out["unknown_rate_ungated"] = last["general_ungated"], last["unknown_ungated"]
            runtime.deactivate_adapter()

        if "after_sleeps" in parts:
            log(f"after_sleeps: {max(AFTER_SLEEPS)} sleeps of N={sleeps_passes} over new windows")
            store = Thread("after-sleeps", tmp).store
            out["after_sleeps"] = {}
            for i, world in enumerate(worlds, start=1):
                consolidate(runtime, store, world.trajectory(), config=config(sleeps_passes), progress=_bar(i))
                if i in AFTER_SLEEPS:
                    out["after_sleeps"][str(i)] = _accuracy(runtime, q1)
                    log(f"  after sleep {i}: window-1 1hop {out['after_sleeps'][str(i)]}")
            out["after_sleeps_events"] = store.events
            runtime.deactivate_adapter()
        if "vector" in parts:
            log("vector: chromadb top-k chunks of the trajectory in the prompt (base model)")
            texts = chunk_turns(traj[1:], settings.vector_chunk_chars)
            runtime.deactivate_adapter()
            out["vector_1hop"] = _vector_accuracy(runtime, q1, Path(tmp) / "vector", texts)
            out["vector_2hop"] = _vector_accuracy(runtime, q2, Path(tmp) / "vector", [])  # same store
            facts = extract_facts(traj)
            notes = [f.statement() for f in facts + derive_chains(facts)]
            out["vector_notes_2hop"] = _vector_accuracy(runtime, q2, Path(tmp) / "vector-notes", texts, notes)
            log(f"  1hop {out['vector_1hop']}  2hop {out['vector_2hop']}  2hop with notes {out['vector_notes_2hop']}")
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    return out


def format_table(r: dict) -> str:
    """The result as a markdown table (what docs/retention-*.md shows); parts not run are left out."""
    rows = ["| condition | 1-hop | 2-hop | unknown as unknown (gated / adapter alone) "
            "| general (gated / adapter alone) | sleep s |",
            "|---|---|---|---|---|---|"]
    if "floor_1hop" in r:
        rows.append(f"| floor (no adapter, no context) | {r['floor_1hop']} | {r['floor_2hop']} "
                    f"| {r.get('unknown_before')} | {r.get('general_before')} | |")
    if "ceiling_1hop" in r:
        rows.append(f"| ceiling (trajectory in context) | {r['ceiling_1hop']} | {r['ceiling_2hop']} | | | |")
    for n, m in r.get("by_passes", {}).items():
        rows.append(f"| sleep N={n} (passes run: {m['passes_done']}) | {m['1hop']} | {m['2hop']} "
                    f"| {m['unknown']} / {m['unknown_ungated']} | {m['general']} / {m['general_ungated']} "
                    f"| {m['sleep_seconds']} |")
    if "vector_1hop" in r:
        rows += [f"| chromadb top-k | {r['vector_1hop']} | {r['vector_2hop']} | | | |",
                 f"| chromadb + derived notes | | {r['vector_notes_2hop']} | | | |"]
    lines = ["\n".join(rows) + "\n"]
    if r.get("after_sleeps"):
        after = ", ".join(f"after {k}: {v}" for k, v in r["after_sleeps"].items())
        lines.append(f"Window-1 1-hop accuracy across sleeps: {after}\n")
    if "unknown_heldout_gated" in r:
        lines.append(f"Unknown names in held-out phrasings, answered as unknown: {r['unknown_heldout_gated']} "
                     f"gated (any N), {r.get('unknown_heldout_before')} by the base model alone\n")
    return "\n".join(lines)
