"""Derived facts: what follows from the facts of a window, whatever their source (JSON, text, self-study).

- :func:`latest_values`: a fact stated twice with different values (an office that moved, a door code
  that was reset) keeps the last value; the earlier ones are marked ``stale`` on it, not trained.
- :func:`derive_chains`: when one fact's answer is another fact's subject (Ana's employer is Brightwell;
  Brightwell's headquarters is Tarnwick), the 2-hop fact "the headquarters of the employer of Ana is
  Tarnwick". The adapter does not compose facts by itself (2-hop stayed at 0-8% with 1-hop training
  only, in the project's first probes): the composition has to happen while sleeping. A link may
  come from an earlier sleep (:func:`remembered`): at a small budget each sleep sees one or two
  records, so a person and their mentor are mostly consolidated in different sleeps (the `smoke`
  suite, budget 256, nested: 2-hop 0.03 over 3 seeds without such links, 0.42 with them;
  docs/eval-smoke-forms/).
- :func:`derive_totals`: where a numeric relation repeats over entities that share a value (the units
  of every crate holding tea), the total for that value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from .facts import Fact

__all__ = ["MAX_CHAINS", "MAX_TOTALS", "derive", "derive_chains", "derive_totals", "latest_values", "remembered"]

MAX_CHAINS = 64     # derived 2-hop facts per sleep: they grow as a product of the facts
MAX_TOTALS = 16     # derived totals per sleep


def latest_values(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per (kind, subject, relation): the last one stated, with the earlier values as ``stale``."""
    last: dict[tuple, Fact] = {}
    for f in facts:
        key = (f.kind, f.subject.lower(), f.relation)
        before = last.pop(key, None)  # re-inserted: a restated fact takes its new place in order
        if before is not None and before.answer != f.answer:
            stale = tuple(dict.fromkeys(before.stale + (before.answer,) + f.stale))
            f = replace(f, stale=tuple(s for s in stale if s != f.answer))
        last[key] = f
    return list(last.values())


def remembered(examples: Sequence) -> list[Fact]:
    """The facts earlier sleeps read and trained, from their sleep data (:class:`.dataset.SleepExample`
    rows): a fact's held-out example carries its bare answer, and a probe of the same fact whose answer
    is the fact's statement says it was an attribute (read or studied), not a chain, a transcript line
    or a call. Whatever ``memory forget`` removed from the sleep data is gone from here too."""
    stated = {e.answer for e in examples if e.part == "probe"}
    out: dict[tuple[str, str], Fact] = {}
    for e in examples:
        if e.part == "heldout" and e.relation:
            fact = Fact("attribute", e.subject, e.relation, e.answer, source="an earlier sleep")
            if fact.statement() in stated:
                out[(e.subject.lower(), e.relation)] = fact
    return list(out.values())


def derive_chains(facts: Sequence[Fact], *, earlier: Sequence[Fact] = (), limit: int = MAX_CHAINS) -> list[Fact]:
    """2-hop facts: ``(s, r1, a)`` and ``(a, r2, b)`` give ``(s, "r2 of the r1", b)``.

    Matching is on the exact answer string (case-insensitive), so "Brightwell" the employer links to
    the record whose name is "Brightwell". Attributes only; at most ``limit``, in trajectory order.
    ``earlier``: attributes of earlier sleeps (:func:`remembered`), a link of a chain but never both
    (those chains an earlier sleep derived already); a fact restated in ``facts`` replaces its earlier value.
    """
    new = [f for f in facts if f.kind == "attribute"]
    restated = {(f.subject.lower(), f.relation) for f in new}
    last = {(f.subject.lower(), f.relation): f for f in earlier if f.kind == "attribute"}  # a later value wins
    old = [f for key, f in last.items() if key not in restated]
    tagged = [(f, False) for f in old] + [(f, True) for f in new]  # (fact, from this window)
    by_subject: dict[str, list[tuple[Fact, bool]]] = {}
    for f, is_new in tagged:
        by_subject.setdefault(f.subject.lower(), []).append((f, is_new))
    chains: list[Fact] = []
    for f, f_new in tagged:
        for g, g_new in by_subject.get(f.answer.lower(), []):
            if (f_new or g_new) and g.subject.lower() != f.subject.lower() and len(chains) < limit:
                chains.append(Fact("chain", f.subject, f"{g.relation} of the {f.relation}", g.answer,
                                   source="derived"))
    return list(dict.fromkeys(chains))


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None


def derive_totals(facts: Sequence[Fact], *, limit: int = MAX_TOTALS) -> list[Fact]:
    """Totals: for entities with a text relation ``g`` and a numeric relation ``n``, the sum of ``n``
    over the entities sharing each value of ``g`` (two or more of them): ``Fact("total", "tea",
    "units", "47")`` for two crates of tea holding 36 and 11."""
    by_subject: dict[str, dict[str, str]] = {}
    for f in facts:
        if f.kind == "attribute":
            by_subject.setdefault(f.subject.lower(), {})[f.relation] = f.answer
    groups: dict[tuple[str, str, str], list[Decimal]] = {}  # (g, its value, n) -> the n of each entity
    for attrs in by_subject.values():
        numbers = {r: v for r, a in attrs.items() if (v := _number(a)) is not None}
        for g, value in attrs.items():
            if g in numbers:
                continue
            for n, v in numbers.items():
                groups.setdefault((g, value, n), []).append(v)
    totals = []
    for (g, value, n), values in groups.items():
        if len(values) >= 2 and len(totals) < limit:
            total = sum(values)
            text = str(int(total)) if total == total.to_integral_value() else format(total.normalize(), "f")
            totals.append(Fact("total", value, n, text,
                               source=f"derived: sum over {len(values)} entities with {g} {value}"))
    return totals


def derive(facts: Sequence[Fact], earlier: Sequence[Fact] = ()) -> list[Fact]:
    """Every derived fact of ``facts`` (chains, with links from ``earlier`` sleeps too, then totals)."""
    return derive_chains(facts, earlier=earlier) + derive_totals(facts)
