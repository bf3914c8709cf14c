"""Retention benchmark: after a sleep, does the model know what was in its window?

``sleep-agent bench retention`` runs, on one model:

1. **floor**: the base model, no adapter, no context (should be ~0: the names are made up);
2. **ceiling** (shown as "in context": not a ceiling, chromadb beats it): the base model with the
   whole trajectory (~2k tokens) in context;
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

Questions use the eval phrasings, templated and natural, scored apart (see :mod:`.world`); never-seen
names are asked with generated names and with ordinary ones (:mod:`sleep_agent_evals.unknown_names`).
Every score is ``{"all", "template", "natural", "n", "tool_calls", "hit_budget"}``.

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
from sleep_agent.consolidation import (ANSWER_TOKENS, QA_SYSTEM_PROMPT, EntityGate, Reply, answer_questions,
                                       consolidate, general_correct, learn_facts)
from sleep_agent.consolidation.anchors import unknown_name
from sleep_agent.consolidation.phrasings import eval_question, natural
from sleep_agent.memory.chunks import chunk_turns
from sleep_agent.models.messages import to_template_dicts, transcript
from sleep_agent.scoring import first_sentence_done, is_correct, is_decline
from sleep_agent_evals.unknown_names import unknown_questions
from sleep_agent.settings import AgentSettings, SleepConfig

from .controls import BENCH_GENERAL
from .world import Question, World

__all__ = ["run_retention", "DEFAULT_PASSES", "format_table"]

SYSTEM_PROMPT = QA_SYSTEM_PROMPT  # questions are asked as the sleep trained them

DEFAULT_PASSES = (1, 2, 4, 8)
PARTS = ("floor", "ceiling", "by_passes", "after_sleeps", "vector")
AFTER_SLEEPS = (1, 2, 4)   # sleeps after which window 1 is asked again
UNKNOWN_QUESTIONS = 16     # never-seen names asked (held out from the sleep's own "no record" examples)
WRONG_KEPT = 4             # wrong replies kept per phrasing style in the results (the report's "why")


def _tally(replies: Sequence[Reply], questions: Sequence[Question], check: Callable[[str, str], bool]) -> dict:
    """A score: accuracy over all questions and per phrasing style, with the replies that were tool
    calls, those cut by the answer budget, and the first :data:`WRONG_KEPT` wrong ones per style."""
    ok = [check(r, q.answer) for r, q in zip(replies, questions)]
    mean = lambda xs: round(sum(xs) / len(xs), 3) if xs else None  # noqa: E731
    wrong = lambda style: [(r, q) for r, q, o in zip(replies, questions, ok) if not o and q.style == style]  # noqa: E731
    return {"all": mean(ok) if ok else 0.0,
            "template": mean([o for o, q in zip(ok, questions) if q.style == "template"]),
            "natural": mean([o for o, q in zip(ok, questions) if q.style == "natural"]),
            "n": len(ok), "tool_calls": sum(r.tool_call for r in replies),
            "hit_budget": sum(r.hit_budget for r in replies),
            # why a row is low, readable without re-running it: the first wrong replies of each style
            "wrong": [{"question": q.text, "expected": q.answer, "reply": str(r)[:200]}
                      for style in ("template", "natural") for r, q in wrong(style)[:WRONG_KEPT]]}


def _accuracy(runtime, questions: Sequence[Question], *, context: str = "",
              check: Callable[[str, str], bool] = is_correct, gate: EntityGate | None = None) -> dict:
    """The score of ``questions``; ``context`` (text) is read before each question."""
    replies = answer_questions(runtime, [q.text for q in questions], SYSTEM_PROMPT, gate=gate, context=context)
    return _tally(replies, questions, check)


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
    replies = [Reply.of(t, ended) for t, ended in runtime.generate_batch_ends(prompts, max_new_tokens=ANSWER_TOKENS,
                                                                              done=first_sentence_done)]
    return _tally(replies, questions, is_correct)


def _bar(label):
    """A training progress bar on stderr (the console's sleep bar)."""
    from sleep_agent.console import SleepBar

    bar = SleepBar(sys.stderr)
    return lambda e: bar.update({**e, "sleep": label})


def _general(runtime, gate: EntityGate | None = None, limit: int | None = None) -> dict:
    return _accuracy(runtime, [Question(q, a, 0, "") for q, a in BENCH_GENERAL[:limit]], check=general_correct,
                     gate=gate)


def _unknown(runtime, world: World, gate: EntityGate | None = None, *, names: str = "generated") -> dict:
    """The share of questions about never-seen names that get declined, asked in the eval phrasings
    (templated and natural). ``names="generated"``: made-up names from the sleep's own generator
    (seed far from its "no record" examples); ``"realistic"``: ordinary names and companies
    (:mod:`sleep_agent_evals.unknown_names`), which the familiarity check does not catch."""
    if names == "realistic":
        qs = [Question(q.question, "", 0, "", q.style)
              for q in unknown_questions(UNKNOWN_QUESTIONS, seed=world.seed, exclude=frozenset(world.names))]
    else:
        rng, known = random.Random("unknown-heldout"), {n.lower() for n in world.names}
        picked = [n for n in (unknown_name(rng) for _ in range(2 * UNKNOWN_QUESTIONS)) if n.lower() not in known]
        rels = ("city", "employer", "headquarters", "industry")
        qs = []
        for i, n in enumerate(picked[:UNKNOWN_QUESTIONS]):
            rel = rels[i % len(rels)]
            qs.append(Question(natural(rel, n), "", 0, n, "natural") if i % 2
                      else Question(eval_question("attribute", rel, n), "", 0, n, "template"))
    return _accuracy(runtime, qs, check=lambda reply, _: is_decline(reply), gate=gate)


def run_retention(runtime, *, passes: Sequence[int] = DEFAULT_PASSES, seed: int = 0,
                  sleeps_passes: int | None = None, limit: int | None = None, root: Path | None = None,
                  world_size: tuple[int, int] = (16, 8), parts: Sequence[str] = PARTS,
                  distill: float | None = None, form: str = "json", log: Callable[[str], None] = print) -> dict:
    """Run the benchmark on a loaded :class:`LocalRuntime`; returns the JSON-able result.

    ``limit`` caps the questions per kind (quick runs); ``sleeps_passes`` is N for the after-sleeps
    series (default: the agent's ``sleep_passes``); ``world_size`` is (people, companies) per window:
    16 and 8 give 48 one-hop facts, 32 two-hop questions and a ~2k-token trajectory. ``parts`` picks
    sections of :data:`PARTS` (to redo one of them). ``distill``: the sleeps' context-distillation
    weight (default: the agent's ``sleep_distill``). ``form``: how the world's tool results are
    delivered (:data:`world.FORMS`: JSON records, records nested in pages, plain text).
    """
    unknown_parts = sorted(set(parts) - set(PARTS))
    if unknown_parts:
        raise ValueError(f"unknown part(s) {', '.join(unknown_parts)}: choose from {', '.join(PARTS)}")
    t_start = time.perf_counter()
    settings = AgentSettings()
    sleeps_passes = sleeps_passes or settings.sleep.passes
    people, companies = world_size
    worlds = [World(seed=seed, people=people, companies=companies, form=form)]
    for i in range(1, max(AFTER_SLEEPS)):
        worlds.append(World(seed=seed + i, people=people, companies=companies, form=form,
                            exclude=frozenset(n for w in worlds for n in w.names)))
    w1 = worlds[0]
    q1, q2 = w1.facts_1hop()[:limit], w1.facts_2hop()[:limit]
    traj = w1.trajectory()
    distill = settings.sleep.distill if distill is None else distill
    config = lambda n: SleepConfig.from_any({"passes": n, "seed": seed, "distill": distill},  # noqa: E731
                                            base=settings.sleep)
    out: dict = {"model": runtime.info.name if runtime.info else "?", "seed": seed, "distill": distill, "form": form,
                 "facts_1hop": len(q1), "facts_2hop": len(q2),
                 "trajectory_tokens": runtime.count_tokens(to_template_dicts(traj))}

    runtime.deactivate_adapter()
    if "floor" in parts:
        log("floor: base model, no context")
        out["floor_1hop"], out["floor_2hop"] = _accuracy(runtime, q1), _accuracy(runtime, q2)
        out["general_before"], out["unknown_before"] = _general(runtime, limit=limit), _unknown(runtime, w1)
        # With the gate, an unknown name is answered by the base model whatever the adapter: one number.
        out["unknown_realistic_before"] = _unknown(runtime, w1, names="realistic")
        out["unknown_realistic_gated"] = _unknown(runtime, w1, EntityGate(w1.names), names="realistic")
        log(f"  1hop {out['floor_1hop']}  2hop {out['floor_2hop']}  general {out['general_before']}")
    if "ceiling" in parts:
        log("ceiling: base model, whole trajectory in context (as text, then the question)")
        ctx = transcript(traj)
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
                                    "unknown_realistic": _unknown(runtime, w1, gate, names="realistic"),
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
            out["sleep_report"]["seconds"] = _without(report.seconds, measuring[0])
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
            facts, _ = learn_facts(traj, SleepConfig())  # the sleep's extracted and derived facts, no self-study
            notes = [f.statement() for f in facts]
            out["vector_notes_2hop"] = _vector_accuracy(runtime, q2, Path(tmp) / "vector-notes", texts, notes)
            log(f"  1hop {out['vector_1hop']}  2hop {out['vector_2hop']}  2hop with notes {out['vector_notes_2hop']}")
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    return out


def _without(seconds: dict, measuring: float) -> dict:
    """The sleep's seconds by phase with the measuring done between passes taken out of training
    (``on_pass`` runs inside it) and of the total; the measuring kept beside them."""
    out = dict(seconds)
    for phase in ("train", "total"):
        out[phase] = round(out[phase] - measuring, 2)
    out["measuring"] = round(measuring, 2)
    return out


def _cell(runs: Sequence[dict], *path) -> str:
    """One table cell over seeds: the mean of ``all`` (lowest-highest seed), then template / natural."""
    scores = []
    for r in runs:
        v = r
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        if isinstance(v, dict):
            scores.append(v)
        elif isinstance(v, (int, float)):  # an after-sleeps accuracy of an older result
            scores.append({"all": v})
    if not scores:
        return ""
    mean = lambda k: round(sum(x[k] for x in scores) / len(scores), 2)  # noqa: E731
    text = f"{mean('all')}"
    if len(scores) > 1:
        text += f" ({min(x['all'] for x in scores):.2f}-{max(x['all'] for x in scores):.2f})"
    if all(x.get("natural") is not None and x.get("template") is not None for x in scores):
        text += f" [t {mean('template')} / n {mean('natural')}]"
    return text


def format_table(results: dict | Sequence[dict]) -> str:
    """One result, or one per seed, as a markdown table (what docs/retention-*.md shows): each cell is
    the mean over seeds (lowest-highest), then the templated and natural questions' accuracy."""
    runs = [results] if isinstance(results, dict) else list(results)
    first = runs[0]
    rows = [f"Seeds: {', '.join(str(r.get('seed')) for r in runs)}. Cell: accuracy (lowest-highest seed) "
            "[templated / natural questions].\n",
            "| condition | 1-hop | 2-hop | never-seen names declined: generated (gated / adapter alone) "
            "| ordinary names declined | general (gated / adapter alone) |",
            "|---|---|---|---|---|---|"]
    if "floor_1hop" in first:
        rows.append(f"| floor (no adapter, no context) | {_cell(runs, 'floor_1hop')} | {_cell(runs, 'floor_2hop')} "
                    f"| {_cell(runs, 'unknown_before')} | {_cell(runs, 'unknown_realistic_before')} "
                    f"| {_cell(runs, 'general_before')} |")
    if "ceiling_1hop" in first:
        rows.append(f"| in context (whole trajectory in the prompt; part `ceiling`) "
                    f"| {_cell(runs, 'ceiling_1hop')} "
                    f"| {_cell(runs, 'ceiling_2hop')} | | | |")
    for n, m in first.get("by_passes", {}).items():
        rows.append(f"| sleep N={n} (passes run: {m['passes_done']}) | {_cell(runs, 'by_passes', n, '1hop')} "
                    f"| {_cell(runs, 'by_passes', n, '2hop')} | {_cell(runs, 'by_passes', n, 'unknown')} / "
                    f"{_cell(runs, 'by_passes', n, 'unknown_ungated')} "
                    f"| {_cell(runs, 'by_passes', n, 'unknown_realistic')} "
                    f"| {_cell(runs, 'by_passes', n, 'general')} / {_cell(runs, 'by_passes', n, 'general_ungated')} |")
    if "vector_1hop" in first:
        rows += [f"| chromadb top-k | {_cell(runs, 'vector_1hop')} | {_cell(runs, 'vector_2hop')} | | | |",
                 f"| chromadb + derived notes | | {_cell(runs, 'vector_notes_2hop')} | | | |"]
    lines = ["\n".join(rows) + "\n"]
    if first.get("after_sleeps"):
        after = ", ".join(f"after {k}: {_cell(runs, 'after_sleeps', k)}" for k in first["after_sleeps"])
        lines.append(f"Window-1 1-hop accuracy across sleeps: {after}\n")
    timed = [r for r in runs if (r.get("sleep_report") or {}).get("seconds")]
    if timed:  # the N-sweep sleep's cost by phase; self-study apart from training and validation
        phases = ("dataset", "self_study", "train", "validate", "total")
        per_seed = ["seed {}: {}".format(r.get("seed"), ", ".join(f"{p.replace('_', '-')} {r['sleep_report']['seconds'][p]} s"
                                                                   for p in phases if p in r["sleep_report"]["seconds"]))
                    for r in timed]
        lines.append("Seconds of the N-sweep sleep by phase (the accuracy measured between its passes "
                     "taken out): " + "; ".join(per_seed) + "\n")
    if "unknown_realistic_gated" in first:
        lines.append(f"Ordinary never-seen names declined with the entity gate (any N): "
                     f"{_cell(runs, 'unknown_realistic_gated')}\n")
    calls = sum(v.get("tool_calls", 0) for r in runs for v in _scores(r))
    cut = sum(v.get("hit_budget", 0) for r in runs for v in _scores(r))
    asked = sum(v.get("n", 0) for r in runs for v in _scores(r))
    if asked:
        lines.append(f"Of {asked} replies, {calls} were tool calls (scored wrong) and {cut} ran into the "
                     f"{ANSWER_TOKENS}-token answer budget.\n")
    return "\n".join(lines)


def _scores(result) -> list[dict]:
    """Every score dict inside a result."""
    if isinstance(result, dict):
        if "n" in result and "all" in result:
            return [result]
        return [s for v in result.values() for s in _scores(v)]
    return []
