"""The sleep: consolidate an evicted trajectory into the thread's adapter and publish a new version.

Order matters for crash safety: the caller has already written the trajectory to disk (write-ahead);
here the sleep data is built (:func:`assemble`), the adapter trained, the result validated against the
previous version (:mod:`.validation`), and only then published atomically (AdapterStore.publish) and
activated. A crash before publish leaves the previous version in force; the trajectory file lets the
sleep be redone. A sleep that makes things worse is not published: the previous version stays active
and the report says why (``SleepReport.rejected``).

Example::

    >>> report = consolidate(runtime, AdapterStore("thread-1"), evicted_messages, config=SleepConfig())
    >>> report.version, report.validation["heldout"]
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.messages import BaseMessage

from ..adapters import AdapterConflictError, AdapterStore
from ..crashpoints import crash_point
from ..models.messages import to_template_dicts
from ..settings import SleepConfig
from .anchors import general_examples, unknown_examples
from .dataset import QA_SYSTEM_PROMPT, SleepExample, behavior_examples, build_examples
from .derive import derive, remembered
from .extract import extract_facts, free_texts
from .facts import Fact
from .in_context import in_context_examples
from .phrasings import TRAIN
from .rephrase import apply as apply_forms, rephrase
from .self_study import self_study
from .trainer import save_trained_adapter, train_sleep
from .validation import Scores, judge, score

__all__ = ["SleepData", "SleepReport", "assemble", "consolidate", "read_sleep_data", "rephrased_forms", "replay_count",
           "replay_sample", "unknown_anchors", "FACTS_FILE",
           "SLEEP_DATA_FILE", "TOOLS_FILE"]

SLEEP_DATA_FILE = "sleep_data.jsonl"  # every fact example trained so far on this thread (for replay), and
                                      # the last sleep's behavior examples (a rebuild after forget keeps tool use)
FACTS_FILE = "facts.jsonl"            # the facts this version's sleep learned, with their sources
TOOLS_FILE = "tools.json"             # the agent's tool schemas its behavior examples were rendered with
# A sleep's cost grows with what it learns (issue #21): replay and anchors scale with the new examples,
# never with the thread's history. Old facts suffer interference in proportion to the steps spent on
# new data, so rehearsal in the same proportion is what protects them; replay_sample spreads it over
# every earlier fact. (Until 2026-12-04 every earlier fact was replayed twice, up to 3 per new example:
# a one-record sleep then trained 2.6x its own data in replay and cost half of a four-record sleep.)
REPLAY_RATIO = 1.0                    # replayed old examples per new one
MIN_REPLAY = 4                        # ...but at least this many, so a tiny sleep still rehearses
UNKNOWN_SHARE = 0.1                   # "no record" examples per trained fact example (new + replayed)
MIN_UNKNOWN = 4                       # ...at least this many
MAX_SAID_ANCHOR_TOPICS = 32           # transcript topics the anchors draw from (a sample is enough)


@dataclass
class SleepData:
    """What one sleep trains on and checks; ``parts`` counts each data part (for the manifest)."""

    train: list[SleepExample]
    heldout: list[SleepExample]       # the new facts in held-out phrasings
    retained: list[SleepExample]      # a sample of earlier facts in held-out phrasings
    history: list[SleepExample]       # the new version's sleep-data file
    subjects: list[str]               # every entity the adapter will know about
    relations: list[str]
    facts: int = 0
    parts: dict = field(default_factory=dict)
    learned: list[Fact] = field(default_factory=list)  # the new facts, derived ones included (FACTS_FILE)
    study: dict = field(default_factory=dict)          # self-study's stats (self_study.self_study)
    new: int = 0                      # training examples (facts and chains) no earlier sleep trained


@dataclass
class SleepReport:
    version: int | None               # the adapter version now active (the previous one if rejected)
    facts: int
    data_parts: dict
    passes: int                       # asked for (sleep duration N)
    passes_done: int                  # run: fewer when adaptive stopping ended the sleep early
    loss_curve: list[float]
    train_tokens: int
    validation: dict                  # Scores.to_dict() of the trained adapter
    rejected: list[str] = field(default_factory=list)  # why it was not published (empty: published)
    seconds: dict = field(default_factory=dict)
    skipped: str = ""                 # why nothing was trained (empty: it trained)

    @property
    def heldout_accuracy(self) -> float | None:
        return self.validation.get("heldout")

    def to_dict(self) -> dict:
        return asdict(self)


def read_sleep_data(version) -> list[SleepExample]:
    """Every example in a version's sleep-data file (facts trained so far and their held-out forms)."""
    if version is None or not (version.path / SLEEP_DATA_FILE).is_file():
        return []
    rows = [json.loads(line) for line in (version.path / SLEEP_DATA_FILE).read_text().splitlines() if line]
    return [SleepExample(r["question"], r["answer"], r.get("part", "probe"), r.get("conversation", ""),
                         subject=r.get("subject", ""), relation=r.get("relation", ""), kind=r.get("kind", ""))
            for r in rows]


def _by_fact(examples: Sequence[SleepExample]) -> list[list[SleepExample]]:
    """Examples grouped by the fact they ask about (subject and relation; else the question)."""
    groups: dict[tuple, list[SleepExample]] = {}
    for e in examples:
        groups.setdefault((e.subject.lower(), e.relation) if e.relation else (e.question,), []).append(e)
    return list(groups.values())


def replay_count(new: int, old: Sequence[SleepExample]) -> int:
    """How many earlier examples a sleep with ``new`` training examples replays (see the constants)."""
    return min(len(old), max(MIN_REPLAY, int(REPLAY_RATIO * new)))


def replay_sample(old: Sequence[SleepExample], count: int, rng: random.Random) -> list[SleepExample]:
    """``count`` earlier examples, spread over the earlier *facts*: every fact gets one before any
    gets two (a random phrasing of it each time).

    A uniform sample over examples leaves facts out at random: at the 4th sleep over equal windows it
    draws a third of the earlier examples, so a fact with 4 phrasings gets no replay at all with
    probability (2/3)^4 ~ 0.2: the likely cause of the first window's loss after 4 sleeps with
    uniform replay (80% of its level after the first; docs/retention-*.md, after_sleeps)."""
    pools = [rng.sample(g, len(g)) for g in _by_fact(old)]
    rng.shuffle(pools)
    out: list[SleepExample] = []
    while len(out) < count and pools:
        for pool in pools:  # one round: the next unused phrasing of each fact
            if len(out) < count and pool:
                out.append(pool.pop())
        pools = [p for p in pools if p]
    return out


def learn_facts(messages: Sequence[BaseMessage], config: SleepConfig, runtime=None,
                known_forms: dict | None = None, earlier: Sequence[Fact] = ()) -> tuple[list[Fact], dict]:
    """The window's facts: extracted (:mod:`.extract`), then self-study's on its free text (with a
    ``runtime`` and ``config.self_study``; a pair about a fact already extracted adds nothing), then
    derived (:mod:`.derive`; a 2-hop chain may take one link from ``earlier``, facts earlier sleeps
    learned), then, with a ``runtime`` and ``config.rephrase``, each relation asked in
    the model's own words too (:mod:`.rephrase`). Returns the facts and the stats of the model's
    writing: self-study's, with ``rephrase`` and, in ``seconds``, both generations' time.
    ``known_forms``: the rephrased forms of the thread's live version (not written again; kept in
    ``rephrase["forms"]`` with the new ones, so the next sleep finds them all)."""
    facts = extract_facts(messages)
    study: dict = {}
    if runtime is not None and config.self_study and (texts := free_texts(messages)):
        studied, study = self_study(runtime, texts, max_chunks=config.self_study)
        known = {(f.subject.lower(), f.answer.lower()) for f in facts}
        facts += [f for f in studied if (f.subject.lower(), f.answer.lower()) not in known]
    facts += derive(facts, earlier)
    if runtime is not None and config.rephrase:
        forms, stats = rephrase(runtime, facts, per_relation=config.rephrase, known=known_forms)
        facts = apply_forms(facts, forms)
        study = {**study, "rephrase": {**stats, "forms": {**(known_forms or {}), **forms}},
                 "seconds": round(study.get("seconds", 0.0) + stats["seconds"], 2)}
    return facts, study


def unknown_anchors(subjects: Sequence[str], relations: Sequence[str], trained: int, *, seed: int,
                    forms: dict | None = None) -> list[SleepExample]:
    """The "no record" examples a sleep of ``trained`` fact examples adds (:data:`UNKNOWN_SHARE` of
    them, at least :data:`MIN_UNKNOWN`), about names outside ``subjects``, also in the sleep's
    rephrased ``forms``; none before any subject."""
    if not subjects:
        return []
    return unknown_examples(subjects, relations, count=max(MIN_UNKNOWN, int(UNKNOWN_SHARE * trained)), seed=seed,
                            forms=forms)


def assemble(messages: Sequence[BaseMessage], earlier: Sequence[SleepExample], config: SleepConfig, *,
             agent_prompt: str | None = None, tools: list[dict] | None = None, runtime=None,
             known_forms: dict | None = None) -> SleepData:
    """The sleep data: new facts (:func:`learn_facts`) + replay of earlier sleeps + anchors.

    With ``tools`` (the agent's tool schemas), the agent's last tool-call turns are replayed too,
    rendered under ``agent_prompt`` exactly as when awake (behavior examples). With ``runtime``, the
    model self-studies the window's free text (:mod:`.self_study`) and rephrases its relations
    (those in ``known_forms``, the live version's, are not rephrased again)."""
    rng = random.Random(config.seed + len(earlier))
    learned, study = learn_facts(messages, config, runtime, known_forms, remembered(earlier))
    facts = [f for f in learned if not f.source.startswith("derived")]  # as read from the window
    train, heldout = build_examples(learned, seed=config.seed)
    trained_before = {(e.question, e.answer) for e in earlier}
    new = sum((e.question, e.answer) not in trained_before for e in train)
    # A fact restated now replaces what earlier sleeps stored about it (a value that changed since):
    # replaying the old answer would train both and the model would pick one at random.
    restated = {(e.subject.lower(), e.relation) for e in train if e.relation}
    earlier = [e for e in earlier if (e.subject.lower(), e.relation) not in restated]
    old_train = [e for e in earlier if e.part in ("probe", "chain")]
    old_heldout = [e for e in earlier if e.part == "heldout"]
    replay = [SleepExample(e.question, e.answer, "replay", subject=e.subject, relation=e.relation)
              for e in replay_sample(old_train, replay_count(len(train), old_train), rng)]
    subjects = list(dict.fromkeys([e.subject for e in earlier if e.subject] + [f.subject for f in facts
                                                                               if f.kind != "total"]))
    relations = list(dict.fromkeys(f.relation for f in facts if f.kind == "attribute"))
    forms = dict(study.get("rephrase", {}).get("forms") or {})
    # Transcript topics get "no record" anchors in the "said" words too: trained only with the
    # speakers' names, those words taught the adapter to answer about anyone (LoCoMo conv-30, seed 0:
    # sleeps 2 and 3 refused, never-seen names declined 1.00 -> 0.00).
    said = list(dict.fromkeys(f.relation for f in facts if f.kind == "said"))[:MAX_SAID_ANCHOR_TOPICS]
    forms.update({t: [q.replace("{relation}", t) for q in TRAIN["said"]] for t in said})
    unknown = unknown_anchors(subjects, relations + said, len(train) + len(replay), seed=config.seed + len(earlier),
                              forms=forms)
    general = general_examples()
    behavior = behavior_examples(messages, agent_prompt or QA_SYSTEM_PROMPT) if tools else []
    # Some new questions asked after turns of the window, as they are asked awake (never stored: see
    # in_context.py)
    context = in_context_examples(train, messages, seed=config.seed + len(earlier)) if config.in_context else []
    examples = train + context + replay + unknown + general + behavior
    rng.shuffle(examples)
    parts = {"probe": sum(e.part == "probe" for e in train), "chain": sum(e.part == "chain" for e in train),
             "context": len(context), "replay": len(replay), "unknown": len(unknown), "general": len(general),
             "behavior": len(behavior), "heldout": len(heldout)}
    return SleepData(
        train=examples, heldout=rng.sample(heldout, len(heldout)),
        retained=rng.sample(old_heldout, min(len(old_heldout), 8)),
        history=list(dict.fromkeys([e for e in earlier if e.part != "behavior"] + train + heldout
                                   + (behavior or [e for e in earlier if e.part == "behavior"]))),
        subjects=subjects, relations=relations, facts=len(learned), parts=parts, learned=learned, study=study,
        new=new)


def rephrased_forms(version) -> dict[str, list[str]]:
    """The rephrased question forms per relation a version's sleep used (:mod:`.rephrase`)."""
    if version is None:
        return {}
    return dict(((version.manifest.get("self_study") or {}).get("rephrase") or {}).get("forms") or {})


def _keep(runtime, live) -> int | None:
    """Decode with ``live`` (a version, or None: the base model) again; returns its number."""
    if live is None:
        runtime.deactivate_adapter()
        return None
    runtime.activate_adapter(live.path)
    return live.version


def _skip(store: AdapterStore, previous, data: SleepData, t0: float, emit) -> SleepReport:
    """The report of a sleep that trains nothing: the evicted turns hold no fact an earlier sleep did
    not already train (or none at all). The live version stays; no time goes to training or checks."""
    why = (f"nothing new to learn ({data.facts} facts, all trained by earlier sleeps)" if data.facts
           else "nothing to learn (no facts in the evicted turns)")
    store.note(f"sleep skipped: {why}; keeping {previous.name if previous else 'the base model'}")
    seconds = {"dataset": round(time.perf_counter() - t0, 2), "self_study": data.study.get("seconds", 0.0),
               "train": 0.0, "validate": 0.0}
    report = SleepReport(previous.version if previous else None, data.facts, data.parts, 0, 0, [], 0, {},
                         seconds=seconds, skipped=why)
    report.seconds["total"] = round(time.perf_counter() - t0, 2)
    emit({"phase": "done", "version": report.version, "rejected": [], "skipped": why,
          "seconds": report.seconds["total"]})
    return report


def consolidate(runtime, store: AdapterStore, messages: Sequence[BaseMessage], *, config: SleepConfig,
                agent_prompt: str | None = None, tools: list[dict] | None = None, span: tuple[int, int] | None = None,
                progress: Callable[[dict], None] | None = None,
                on_pass: Callable[[int], None] | None = None) -> SleepReport:
    """Train the thread's adapter on ``messages``; publish + activate a new version if it validates.

    ``agent_prompt`` and ``tools`` (the agent's system prompt and tool schemas) make behavior examples
    (see :func:`assemble`). ``on_pass(n)`` is called after each training pass with the adapter in training active (the
    retention benchmark measures accuracy against sleep duration N this way). The thread's sleep lock
    is held throughout, so ``sleep-agent memory forget`` refuses to run meanwhile.
    """
    with store.sleeping():
        return _consolidate(runtime, store, messages, config=config, agent_prompt=agent_prompt, tools=tools,
                            span=span, progress=progress, on_pass=on_pass)


def _consolidate(runtime, store: AdapterStore, messages: Sequence[BaseMessage], *, config: SleepConfig,
                 agent_prompt, tools, span, progress, on_pass) -> SleepReport:
    t0 = time.perf_counter()
    emit = progress or (lambda e: None)
    emit({"phase": "dataset", "seconds": 0.0})
    previous = store.latest()
    data = assemble(messages, read_sleep_data(previous), config, agent_prompt=agent_prompt, tools=tools,
                    runtime=runtime, known_forms=rephrased_forms(previous))
    crash_point("sleep_after_dataset")
    if data.new == 0:  # a repeated result, a window of "no more records": training would learn nothing
        return _skip(store, previous, data, t0, emit)
    # The references a sleep is judged against (validation.judge): the previous version's scores, the
    # base model's (measured once, at the thread's first sleep) and the first version's, carried on
    # in every manifest so that drift is bounded from where the thread started, not per sleep.
    base, first = {}, {}
    if not config.validate:  # nothing is asked: the sleep publishes what it trained
        before = {}
    elif previous is not None:
        before = previous.manifest.get("validation") or {}
        base = previous.manifest.get("validation_base") or {}
        first = previous.manifest.get("validation_first") or (before if previous.version == 1 else {})
    else:  # a thread's first sleep is compared with the base model
        with runtime.adapter_disabled():
            before = base = score(runtime, QA_SYSTEM_PROMPT).to_dict()
    t_data = time.perf_counter()

    _, result = train_sleep(runtime, data.train, config, init_from=previous.path if previous else None,
                             window=to_template_dicts(messages) if config.distill > 0 else None, tools=tools,
                             progress=emit, on_pass=on_pass)
    t_train = time.perf_counter()

    scores, rejected = Scores(), []
    if config.validate:
        emit({"phase": "validate", "seconds": round(t_train - t0, 1)})
        scores = score(runtime, QA_SYSTEM_PROMPT, heldout=data.heldout, retained=data.retained,
                       known_subjects=data.subjects, relations=data.relations, seed=config.seed)
        rejected = judge(scores, before, base=base, first=first, tolerance=config.tolerance)
    crash_point("sleep_after_validate")  # trained and checked, nothing saved yet
    t_val = time.perf_counter()
    study_seconds = data.study.get("seconds", 0.0)
    seconds = {"dataset": round(t_data - t0 - study_seconds, 2), "self_study": study_seconds,
               "train": round(t_train - t_data, 2), "validate": round(t_val - t_train, 2)}
    report = SleepReport(None, data.facts, data.parts, config.passes, result.passes_done, result.loss_curve,
                         result.train_tokens, scores.to_dict(), rejected, seconds)

    if rejected:
        store.note(f"sleep not published ({'; '.join(rejected)}); keeping "
                    f"{previous.name if previous else 'the base model'}")
        report.version = _keep(runtime, previous)
    else:
        emit({"phase": "publish", "seconds": round(t_val - t0, 1)})

        def write(dest: Path) -> None:
            save_trained_adapter(runtime, dest)
            lines = [json.dumps(e.to_dict(), ensure_ascii=False) for e in data.history]
            (dest / SLEEP_DATA_FILE).write_text("\n".join(lines) + "\n")
            if tools:  # the behavior examples' tool schemas, for a rebuild (memory_admin.forget)
                (dest / TOOLS_FILE).write_text(json.dumps(tools, ensure_ascii=False))
            (dest / FACTS_FILE).write_text("".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n"
                                                   for f in data.learned))

        manifest = {
            "trajectory_span": list(span) if span else None,
            "facts": data.facts,
            "data_parts": data.parts,
            "self_study": data.study or None,
            "passes": config.passes,
            "passes_done": result.passes_done,
            "lr": config.lr,
            "rank": config.rank,
            "distill": {"weight": config.distill, "examples": result.distilled} if config.distill > 0 else None,
            "loss_curve": result.loss_curve,
            "train_tokens": result.train_tokens,
            "validation": scores.to_dict(),
            "validation_before": before,
            "validation_base": base,
            "validation_first": first or scores.to_dict(),
            "seconds": seconds,
        }
        try:
            version = store.publish(write, manifest, parent=previous.version if previous else None)
            runtime.activate_adapter(version.path)
            report.version = version.version
        except AdapterConflictError as e:  # rolled back meanwhile: the caller keeps the turns, as for a refusal
            report.rejected = rejected = [str(e)]
            store.note(str(e))
            report.version = _keep(runtime, store.latest())
    report.seconds["total"] = round(time.perf_counter() - t0, 2)
    emit({"phase": "done", "version": report.version, "rejected": rejected, "seconds": report.seconds["total"]})
    return report
