"""Rephrasing: the sleeping model writes everyday questions for each relation it learned, and checks them.

The sleep's templates name a fact by its field ("What is the city of Ana Reyes?"), so an adapter
trained on them alone answers the field's wording and little else: asked "Where does Ana Reyes
live?" after one sleep it named a person, at every N (docs/eval-small-v2/README.md). A person asks
with the relation's verbs, which no field name carries. Here the base model (adapter off) supplies
them: for each relation of the window's facts it writes a few questions asking for that relation of
two of its subjects, in its own words; each question is checked back - the same model, shown the sleep's
relations beside a few common decoy fields, must say the question asks for this relation - and then
becomes a template (the subject masked) trained for every fact with that relation.

This is the data augmentation that knowledge extraction needs (Allen-Zhu & Li 2023, "Physics of
Language Models 3.1": facts stored with one phrasing are stored but not extractable; varied
phrasings in training make them so), with the phrasings written by the model itself as in
self-instruct / SEAL's self-edits (Zweiger et al. 2025) rather than by hand, so nothing here is
tuned to the eval's questions. What differs: one short greedy generation per relation (not per
fact), batched, and a round-trip check, because a 0.5B model drifts to other relations after its
first lines ("Who is X's mentor?" then "What is X's job?"; measured, the check rejects those).

Never trusted: a question is dropped unless it names the subject as a whole word, ends in "?",
does not hold the answer, passes the check, and is not a validation or eval phrasing once the names
are masked (:func:`.phrasings.is_reserved`) - so the words validation and evals ask with stay
disjoint from what is trained, as tests/test_phrasings.py requires.

Example::

    >>> forms, stats = rephrase(runtime, [Fact("attribute", "Ana Reyes", "city", "Olvesby")])
    >>> forms["city"]  # what qwen2.5-coder-0.5b wrote for the retention world, seed 0
    ('Where is {subject}?', 'In which city does {subject} live?', 'Where is {subject} located?')

Chains are not rephrased by the model (the 0.5B model cannot tell "the city of the mentor" from
"the city"): a chain "the A of the B of X" gets A's forms asked of "X's B" (:func:`_composed`), and a
fixed possessive form (:data:`.phrasings.CHAIN_POSSESSIVE`). Without them, once "X's employer" was
trained for the first hop, "What industry is X's employer in?" got the employer (seed 2).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping, Sequence

from ..scoring import mentions
from .facts import Fact
from .phrasings import TRAIN, is_reserved, masked

__all__ = ["CHECK_TOKENS", "DECOY_FIELDS", "KINDS", "MAX_RELATIONS", "PER_RELATION", "REPHRASE_TOKENS", "SUBJECTS",
           "apply", "check_prompt", "rephrase", "write_prompt"]

KINDS = ("attribute",)     # fact kinds rephrased: a record's field; chains compose two and confuse the check
MAX_RELATIONS = 16         # relations rephrased per sleep (bounds generation time)
SUBJECTS = 2               # prompts per relation, each about another subject: greedy decoding repeats
                           # itself within one reply, a second subject gives other wordings
PER_RELATION = 3           # generated templates kept per relation (SleepConfig.rephrase)
REPHRASE_TOKENS = 72       # tokens written per relation: four short questions
CHECK_TOKENS = 6           # a field name
# Fields the check offers beside the sleep's own relations: where the 0.5B model's questions drift
# (a person's job, age, birthplace...). Only those not among the sleep's relations are offered.
# Not "name": "What is the name of the company X works for?" asks for the employer, and the model
# matched such questions to "name" (measured).
DECOY_FIELDS = ("job", "age", "birthplace", "education", "address", "phone number", "date")

_INSTRUCTION = ("Write four different questions that ask for the {relation} of {subject}, in everyday words "
                "the way a person would ask, one per line. Use the name {subject} in each. Do not give the answer.")
# Worked examples with relations of their own (none is an eval relation), so the small model follows
# the format and uses verbs rather than the field name.
_EXAMPLES = (("Lena Ortiz", "spouse", "Who is Lena Ortiz married to?\nWhat is the name of Lena Ortiz's husband "
              "or wife?\nWhom did Lena Ortiz marry?\nWho is Lena Ortiz's partner in marriage?"),
             ("pump 7", "location", "Where is pump 7?\nIn which place can I find pump 7?\nWhere has pump 7 been "
              "put?\nWhere does pump 7 sit?"))


def write_prompt(subject: str, relation: str) -> list[dict]:
    """Chat messages asking for everyday questions about ``relation`` of ``subject``."""
    msgs = [{"role": "system", "content": "You rewrite questions in everyday words."}]
    for s, r, reply in _EXAMPLES:
        msgs += [{"role": "user", "content": _INSTRUCTION.format(subject=s, relation=r)},
                 {"role": "assistant", "content": reply}]
    return msgs + [{"role": "user", "content": _INSTRUCTION.format(subject=subject, relation=relation)}]


def check_prompt(question: str, fields: Sequence[str]) -> list[dict]:
    """Chat messages asking which of ``fields`` answers ``question``."""
    return [{"role": "system", "content": "You match questions to record fields."},
            {"role": "user", "content": f"Record fields: {', '.join(fields)}.\nQuestion: \"{question}\"\n"
                                        "Which one field answers the question? Reply with the field name only."}]


def _field(reply: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", reply).split()).lower()


def _candidates(reply: str, fact: Fact) -> list[str]:
    """The generated lines that may become templates of ``fact``'s relation (before the check)."""
    out = []
    for line in reply.splitlines():
        q = " ".join(line.strip().lstrip("-*0123456789. ").split())
        if (q.endswith("?") and mentions(q, fact.subject) and not mentions(q, fact.answer)
                and not is_reserved(q, [fact.subject], fact.relation)):
            out.append(q)
    return list(dict.fromkeys(out))


def rephrase(runtime, facts: Sequence[Fact], *, per_relation: int = PER_RELATION,
             max_relations: int = MAX_RELATIONS, known: Mapping[str, Sequence[str]] | None = None
             ) -> tuple[dict[str, tuple[str, ...]], dict]:
    """Generated templates (``{subject}`` in place of the name) per relation of ``facts``, and stats:
    ``relations``, ``generated``, ``kept``, ``reused``, ``seconds``.

    ``known``: forms an earlier sleep of the thread wrote and checked; a relation that has some is
    not asked again (its forms are returned as they are), so a small sleep over relations the thread
    already knows costs no generation, and a relation keeps one set of wordings across sleeps.
    """
    t0 = time.perf_counter()
    known = {r: tuple(fs) for r, fs in (known or {}).items() if fs}
    reused = {r: known[r] for r in dict.fromkeys(f.relation for f in facts if f.kind in KINDS) if r in known}
    about: dict[str, list[Fact]] = {}  # relation -> the facts whose subjects the model writes about
    for f in facts:
        if f.relation in reused:
            continue
        if f.kind in KINDS and f.relation and (f.relation in about or len(about) < max_relations):
            if len(seen := about.setdefault(f.relation, [])) < SUBJECTS and all(f.subject != g.subject for g in seen):
                seen.append(f)
    stats = {"relations": len(about), "generated": 0, "kept": 0, "reused": len(reused), "seconds": 0.0}
    if not about or per_relation <= 0:
        return (reused if per_relation > 0 else {}), stats
    fields = list(about) + [d for d in DECOY_FIELDS if d not in about]
    asked = [f for fs in about.values() for f in fs]
    with runtime.adapter_disabled():
        replies = runtime.generate_batch([runtime.render(write_prompt(f.subject, f.relation)) for f in asked],
                                         max_new_tokens=REPHRASE_TOKENS, batch_size=len(asked))
        pending = [(f, q) for f, reply in zip(asked, replies) for q in _candidates(reply, f)]
        stats["generated"] = len(pending)
        verdicts = runtime.generate_batch([runtime.render(check_prompt(q, fields)) for _, q in pending],
                                          max_new_tokens=CHECK_TOKENS, batch_size=max(1, len(pending))) if pending else []
    # The sleep trains its own templates anyway: a generated copy of one adds nothing.
    trained = {" ".join(t.split()).lower() for t in TRAIN["attribute"]}
    forms: dict[str, list[str]] = {}
    for (fact, q), verdict in zip(pending, verdicts):
        template = _template(q, fact.subject)
        kept = forms.setdefault(fact.relation, [])
        if (_field(verdict) == fact.relation.lower() and masked(q, [fact.subject], fact.relation) not in trained
                and template not in kept and len(kept) < per_relation):
            kept.append(template)
    out = {r: tuple(ts) for r, ts in forms.items() if ts}
    stats["kept"] = sum(len(ts) for ts in out.values())
    out.update(reused)
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return out, stats


def _template(question: str, subject: str) -> str:
    """``question`` with ``subject`` (whole words, any case) as ``{subject}``: a str.format template."""
    escaped = question.replace("{", "{{").replace("}", "}}")
    return re.sub(r"(?<!\w)" + re.escape(subject) + r"(?!\w)", "{subject}", escaped, flags=re.IGNORECASE)


def _composed(fact: Fact, forms: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A chain's questions from its outer relation's forms, asked of the subject's inner relation:
    "industry of the employer" of X with "What is {subject}'s industry?" gives "What is X's
    employer's industry?" (the same grammar a person uses for two hops)."""
    outer, sep, inner = fact.relation.rpartition(" of the ")
    if not sep or outer not in forms:
        return ()
    qs = (t.format(subject=f"{fact.subject}'s {inner}") for t in forms[outer])
    return tuple(q for q in qs if not is_reserved(q, [fact.subject], fact.relation))


def apply(facts: Sequence[Fact], forms: dict[str, tuple[str, ...]]) -> list[Fact]:
    """``facts`` with each rephrased relation's templates among their training questions (a chain's
    composed from its outer relation's, :func:`_composed`)."""
    def more(f: Fact) -> tuple[str, ...]:
        if f.kind == "chain":
            return _composed(f, forms)
        if f.kind in KINDS and f.relation in forms:
            return tuple(t.format(subject=f.subject) for t in forms[f.relation])
        return ()

    return [dataclasses.replace(f, questions=tuple(dict.fromkeys(f.questions + extra))) if (extra := more(f)) else f
            for f in facts]
