"""Forgetting one thing exactly: rebuild the adapter from the base model without it.

No method removes a fact from trained weights reliably, but a sleep keeps every example it trained
on (the version's ``sleep_data.jsonl``: facts, their held-out forms and the last behavior examples),
so the adapter can be trained again, from a fresh LoRA on the base model, on everything except what
mentions the text. The rebuild is validated like a sleep (held-out recall of the facts kept, the
general control against the base model, never-seen names), then published as a new version on the
live one (compare-and-swap). After it, the text also leaves every older version that holds it
(deleted, so no rollback brings it back), the vector memory and the checkpoint's consolidated-calls
record; with ``purge`` the trajectory files and the checkpoint's turns are redacted too
(:mod:`.redact`). The forgotten text itself is recorded nowhere: the event log keeps its sha256.

Example::

    >>> plan = plan_forget(Thread("demo-1"), "Samor Fenkarin")
    >>> [f.answer for f in plan.facts]
    ['Olvesby', 'baker']
    >>> report = forget(runtime, Thread("demo-1"), "Samor Fenkarin")
    >>> report.version, report.deleted_versions
    (3, [1, 2])
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..adapters import Thread
from ..adapters.events import append_event
from ..consolidation.anchors import general_examples
from ..consolidation.dataset import QA_SYSTEM_PROMPT, SleepExample
from ..consolidation.engine import (FACTS_FILE, SLEEP_DATA_FILE, TOOLS_FILE, read_sleep_data,
                                    rephrased_forms, unknown_anchors)
from ..consolidation.trainer import save_trained_adapter, train_sleep
from ..consolidation.validation import MAX_HELDOUT, judge, score
from ..scoring import mentions
from ..settings import SleepConfig
from .known import KnownFact, known_facts
from .redact import redact_checkpoint, redact_trajectories, redact_vector_memory

__all__ = ["ForgetError", "ForgetPlan", "ForgetReport", "NothingToForgetError", "forget", "forms_without",
           "plan_forget"]


# Passes of a rebuild per pass of the live version's sleeps: the adapter being replaced met its older
# facts in their own sleep and again in every later sleep's replay; trained once, all together, at the
# sleeps' passes, a rebuild of 2 smollm2 sleeps kept 15 of 18 other answers in one run of two (18 in the other).
REBUILD_PASSES = 2


class ForgetError(RuntimeError):
    """The rebuild could not be published (it failed validation, or the thread has no adapter);
    nothing was changed."""


class NothingToForgetError(ForgetError, ValueError):
    """No fact, sleep example or stored version of the thread mentions the text."""


@dataclass
class ForgetPlan:
    """What ``forget`` would remove: the matching facts, how many stored examples mention the text,
    and the versions that hold it (deleted after the rebuild is published)."""

    text: str
    facts: list[KnownFact]
    examples: int
    kept_examples: int
    versions: list[int]


@dataclass
class ForgetReport:
    version: int                     # the rebuilt version, now live
    facts_forgotten: int
    examples_removed: int
    deleted_versions: list[int]
    vector_documents_removed: int = 0
    trajectory_files_redacted: int = 0
    checkpoint_updated: bool = False
    validation: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _holds(e: SleepExample, text: str) -> bool:
    return any(mentions(s, text) for s in (e.question, e.answer, e.subject, e.conversation) if s)


def _version_holds(folder: Path, text: str) -> bool:
    return any(p.is_file() and mentions(p.read_text(encoding="utf-8"), text)
               for p in (folder / SLEEP_DATA_FILE, folder / FACTS_FILE))


def plan_forget(thread: Thread, text: str) -> ForgetPlan:
    """What forgetting ``text`` removes (nothing is changed). Raises :class:`NothingToForgetError`."""
    if not text or not text.strip():
        raise NothingToForgetError("nothing to forget: the text is empty")
    live = thread.store.latest()
    examples = read_sleep_data(live)
    gone = [e for e in examples if _holds(e, text)]
    facts = [f for f in known_facts(thread) if mentions(f.subject, text) or mentions(f.answer, text)]
    versions = [v for v in thread.store.versions() if _version_holds(thread.store.version_path(v), text)]
    if not (facts or gone or versions):
        raise NothingToForgetError(f"thread {thread.id!r} holds nothing that mentions {text!r} "
                                   f"({len(examples)} sleep examples, {len(thread.store.versions())} versions searched)")
    return ForgetPlan(text, facts, len(gone), len(examples) - len(gone), versions)


def forms_without(thread: Thread, text: str = "") -> dict[str, list[str]]:
    """Each relation's questions in the model's own words (:mod:`..consolidation.rephrase`), over every
    stored version's manifest, without a form that mentions ``text``."""
    forms: dict[str, list[str]] = {}
    for v in thread.store.versions():
        for relation, written in rephrased_forms(thread.store.get(v, verify=False)).items():
            have = forms.setdefault(relation, [])
            have += [f for f in written if f not in have and not (text and mentions(f, text))]
    return {r: fs for r, fs in forms.items() if fs}


def _rebuild_data(kept: list[SleepExample], seed: int, forms: dict[str, list[str]]
                  ) -> tuple[list[SleepExample], list[SleepExample], list, list]:
    """(training examples, held-out sample, subjects, relations) of the kept sleep data, with the
    anchors a sleep adds (never-seen names, also in the rephrased ``forms``; general knowledge)."""
    train = [e for e in kept if e.part in ("probe", "chain", "behavior")]
    subjects = list(dict.fromkeys(e.subject for e in kept if e.subject))
    relations = list(dict.fromkeys(e.relation for e in kept if e.part == "probe" and e.relation
                                   and e.relation != "about"))
    anchors = unknown_anchors(subjects, relations, len(train), seed=seed, forms=forms) + general_examples()
    rng = random.Random(seed)
    examples = train + anchors
    rng.shuffle(examples)
    heldout = [e for e in kept if e.part == "heldout"]
    return examples, rng.sample(heldout, min(len(heldout), MAX_HELDOUT)), subjects, relations


def forget(runtime, thread: Thread, text: str, *, config: SleepConfig | None = None, purge: bool = False,
           checkpointer=None, progress: Callable[[dict], None] | None = None) -> ForgetReport:
    """Rebuild the thread's adapter without ``text`` and publish it (see the module docstring).

    ``config``: how to train (default: the live version's learning rate and rank, and
    :data:`REBUILD_PASSES` times its passes).
    ``checkpointer``: the thread's LangGraph checkpointer, whose consolidated-calls record (and with
    ``purge``, turns) lose the text. Raises :class:`NothingToForgetError`, :class:`ForgetError` (the
    rebuild failed validation: nothing changed), ``SleepInProgressError`` (a sleep of this thread runs).
    """
    t0 = time.perf_counter()
    plan = plan_forget(thread, text)
    live = thread.store.latest()
    if live is None:
        raise ForgetError(f"thread {thread.id!r} has no live adapter to rebuild")
    m = live.manifest
    config = config or SleepConfig(passes=REBUILD_PASSES * (m.get("passes") or SleepConfig.passes),
                                   lr=m.get("lr") or SleepConfig.lr, rank=m.get("rank") or SleepConfig.rank)
    kept = [e for e in read_sleep_data(live) if not _holds(e, text)]
    forms = forms_without(thread, text)
    examples, heldout, subjects, relations = _rebuild_data(kept, config.seed, forms)
    tools_file = live.path / TOOLS_FILE
    tools = json.loads(tools_file.read_text()) if tools_file.is_file() else None
    facts = [f for f in known_facts(thread) if f.live and not (mentions(f.subject, text) or mentions(f.answer, text))]
    with thread.store.sleeping(wait=False):
        _, result = train_sleep(runtime, examples, config, init_from=None, tools=tools, progress=progress)
        t_train = time.perf_counter()
        scores = score(runtime, QA_SYSTEM_PROMPT, heldout=heldout, known_subjects=subjects, relations=relations,
                       seed=config.seed)
        rejected = judge(scores, None, base=m.get("validation_base") or {}, tolerance=config.tolerance)
        if rejected:
            runtime.activate_adapter(live.path)
            raise ForgetError(f"the rebuilt adapter failed validation ({'; '.join(rejected)}); nothing was "
                              f"changed, {live.name} stays live (try a rebuild with more passes)")

        def write(dest: Path) -> None:
            save_trained_adapter(runtime, dest)
            (dest / SLEEP_DATA_FILE).write_text("".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n"
                                                        for e in kept))
            (dest / FACTS_FILE).write_text("".join(json.dumps(_fact_row(f), ensure_ascii=False) + "\n"
                                                   for f in facts))
            if tools:
                (dest / TOOLS_FILE).write_text(json.dumps(tools, ensure_ascii=False))

        digest = hashlib.sha256(text.encode()).hexdigest()
        manifest = {"rebuilt": True, "forgot": {"sha256": digest, "facts": len(plan.facts),
                                                "examples": plan.examples},
                    "facts": len(facts), "passes": config.passes, "passes_done": result.passes_done, "lr": config.lr,
                    "rank": config.rank, "loss_curve": result.loss_curve, "train_tokens": result.train_tokens,
                    "validation": scores.to_dict(), "validation_base": m.get("validation_base") or {},
                    "validation_first": m.get("validation_first") or {}, "trajectory_span": None,
                    # kept, so that a later forget's anchors still ask the forms of deleted versions
                    "self_study": {"rephrase": {"forms": forms}} if forms else None}
        version = thread.store.publish(write, manifest, parent=live.version)
        runtime.activate_adapter(version.path)
        deleted = [v for v in plan.versions if v != version.version]
        thread.store.delete_versions(deleted)
    report = ForgetReport(version.version, len(plan.facts), plan.examples, deleted,
                          vector_documents_removed=redact_vector_memory(thread, text),
                          trajectory_files_redacted=redact_trajectories(thread, text) if purge else 0,
                          validation=scores.to_dict())
    if checkpointer is not None:
        report.checkpoint_updated = redact_checkpoint(checkpointer, thread.id, text, purge=purge)
    report.seconds = {"train": round(t_train - t0, 2), "total": round(time.perf_counter() - t0, 2)}
    append_event(thread.store.path, "forget", {"sha256": digest, "version": version.version,
                                               "deleted": deleted, "purge": purge, **report.seconds})
    thread.forget_cache()
    return report


def _fact_row(f: KnownFact) -> dict:
    """A kept fact as the rebuilt version stores it: with the sleep that learned it and its verdict."""
    return {"kind": f.kind, "subject": f.subject, "relation": f.relation, "answer": f.answer, "source": f.source,
            "learned_in": f.version, "recall_at_validation": f.recall_at_validation,
            "trajectory_span": f.trajectory_span}
