"""What a thread knows: every fact its published sleeps consolidated, with where each came from.

A weight memory is opaque unless it is opened; this reads it back from what each version stores next
to its adapter (``facts.jsonl``: subject, relation, answer, source; the manifest: the trajectory span
and each held-out question's verdict at validation). The live version's *lineage* (HEAD, its parent,
and so on) is what the adapter holds now; a fact a later sleep restated with another value shows as
replaced, and versions left by a rollback show as not live. With :func:`probe` each live fact is
asked again now, with the adapter alone and through the entity gate.

Example::

    >>> facts = known_facts(Thread("demo-1"))
    >>> [(f.subject, f.relation, f.answer, f.version) for f in facts if f.live][:1]
    [('Samor Fenkarin', 'city', 'Olvesby', 1)]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ..adapters import AdapterIntegrityError, AdapterVersion, Thread
from ..consolidation.engine import FACTS_FILE

__all__ = ["KnownFact", "known_facts", "lineage", "probe"]


@dataclass
class KnownFact:
    """One consolidated fact.

    Args:
        version: the sleep (adapter version) that learned it; a version rebuilt by ``forget`` keeps
            each fact's original version.
        live: whether the live adapter holds it (its version is in HEAD's lineage).
        replaced_by: the later version that restated it with another answer (then it is not trained
            any more: the sleep replaces a restated fact's examples).
        recall_at_validation: whether validation's held-out question about it was answered right when
            its version was validated; None when it was not among the (at most 8) asked.
        probe_adapter / probe_gated: :func:`probe`'s verdicts now (None until probed, or for ``about``
            facts, whose answer is whole sentences).
    """

    subject: str
    relation: str
    answer: str
    kind: str
    source: str
    version: int
    live: bool = True
    replaced_by: int | None = None
    recall_at_validation: bool | None = None
    trajectory_span: list | None = None
    probe_adapter: bool | None = None
    probe_gated: bool | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.subject.lower(), self.relation

    def to_dict(self) -> dict:
        return asdict(self)


def lineage(thread: Thread) -> list[AdapterVersion]:
    """The live version and its ancestors that still exist, oldest first; it stops at a version
    ``forget`` rebuilt (that one holds every fact before it)."""
    out, v = [], thread.store.latest()
    while v is not None:
        out.append(v)
        if v.manifest.get("rebuilt") or v.manifest.get("parent") is None:
            break
        try:
            v = thread.store.get(v.manifest["parent"], verify=False)
        except (FileNotFoundError, AdapterIntegrityError):
            break  # deleted by a forget, or damaged: what is live holds no more than it
    return out[::-1]


def _facts_of(v: AdapterVersion, live: bool) -> list[KnownFact]:
    path = v.path / FACTS_FILE
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if path.is_file() else []
    verdicts = {(p["subject"].lower(), p["relation"]): p["right"]
                for p in (v.manifest.get("validation") or {}).get("per_fact") or []}
    return [KnownFact(r["subject"], r["relation"], r["answer"], r["kind"], r.get("source", ""),
                      r.get("learned_in", v.version), live,
                      recall_at_validation=r.get("recall_at_validation",
                                                 verdicts.get((r["subject"].lower(), r["relation"]))),
                      trajectory_span=r.get("trajectory_span", v.manifest.get("trajectory_span")))
            for r in rows]


def known_facts(thread: Thread) -> list[KnownFact]:
    """Every fact of every published version: the live lineage's first (oldest first), then those of
    versions not live (left by a rollback). Restated facts carry ``replaced_by``."""
    live = lineage(thread)
    facts = [f for v in live for f in _facts_of(v, True)]
    latest: dict[tuple[str, str], KnownFact] = {}
    for f in facts:  # oldest first: a later statement of the same fact replaces an earlier one
        old = latest.get(f.key)
        if old is not None and old.answer != f.answer and old.version != f.version:
            old.replaced_by = f.version
        latest[f.key] = f
    in_lineage = {v.version for v in live}
    for n in thread.store.versions():
        if n not in in_lineage:
            try:
                facts += _facts_of(thread.store.get(n, verify=False), False)
            except (FileNotFoundError, AdapterIntegrityError):
                continue  # a damaged version is listed by `sleep-agent inspect`, not here
    return facts


def probe(runtime, thread: Thread, facts: list[KnownFact]) -> list[KnownFact]:
    """Ask each live, current fact again now (validation's held-out phrasing), with the live adapter
    alone (every question to the adapter) and through the entity gate; sets ``probe_*`` in place."""
    from ..consolidation import EntityGate
    from ..consolidation.answering import answer_questions
    from ..consolidation.phrasings import VALIDATION
    from ..consolidation.validation import recalled

    asked = [f for f in facts if f.live and f.replaced_by is None and VALIDATION.get(f.kind)]  # not "about",
    # "studied": no one phrasing asks them back (phrasings.VALIDATION)
    if not asked:
        return facts
    questions = [VALIDATION[f.kind][0].format(subject=f.subject, relation=f.relation) for f in asked]
    with runtime.lock:
        live = thread.activate(runtime)
        gate = EntityGate.from_adapter(live.path if live else None)
        alone = answer_questions(runtime, questions)
        gated = answer_questions(runtime, questions, gate=gate)
    for f, q, a, g in zip(asked, questions, alone, gated):
        f.probe_adapter, f.probe_gated = recalled(a, f.kind, f.answer, q), recalled(g, f.kind, f.answer, q)
    return facts
