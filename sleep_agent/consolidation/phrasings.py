"""The three phrasing sets: the words a sleep trains on, validation asks with, and evals ask with.

A number measured with the words it was trained on measures surface form, not memory. So:

- :data:`TRAIN`: the sleep's training phrasings per fact kind (:mod:`.dataset` builds examples
  from them; the "no record" anchors use the attribute ones);
- :data:`VALIDATION`: what validation asks after a sleep, before publishing (held-out recall of
  the new facts, retention of earlier ones, never-seen names);
- :data:`EVAL`: what benchmarks and evals ask, templated per kind, plus :data:`NATURAL`: questions
  written by hand per relation, the way a person asks ("Where does X live?"), independent of field
  names and templates. ``NATURAL["dev"]`` may be looked at while building; ``NATURAL["test"]`` is
  only reported.

No two sets share a template once the names are masked (:func:`masked`; tests/test_phrasings.py).
Questions a sleep generates from its own data must not match a validation or eval form either:
:func:`is_reserved` says whether one does, and such a question is dropped.

Fields: ``{subject}``, ``{relation}`` (attribute and chain kinds: the field name with "_" as " ", or
the composed "city of the mentor"); a call's ``{relation}`` is the tool name, its ``{subject}`` the
arguments.

Example::

    >>> natural("city", "Ana Reyes")
    'Where does Ana Reyes live?'
    >>> is_reserved("Where does Bo Lind live?", ["Bo Lind"])
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..names import FACT_KINDS, FactKind

__all__ = ["CHAIN_POSSESSIVE", "EVAL", "NATURAL", "SHARED_FORMS", "SPLITS", "TRAIN", "VALIDATION",
           "chain_possessive", "eval_question", "is_reserved", "masked", "natural", "reserved_forms"]

TRAIN: dict[FactKind, tuple[str, ...]] = {
    "attribute": ("What is the {relation} of {subject}?",
                  "{subject}: what is their {relation}?",
                  "Tell me the {relation} of {subject}.",
                  "Recall the {relation} recorded for {subject}."),
    "call": ("What did {relation} return for {subject}?",
             "What was the result of calling {relation} with {subject}?",
             "Recall the output of the {relation} tool for {subject}.",
             "When you ran {relation}({subject}), what did it say?"),
    "chain": ("What is the {relation} of {subject}?",
              "{subject}: what is the {relation}?"),
    "total": ("What is the total {relation} for {subject}?",
              "How many {relation} are there for {subject} in all?"),
    "about": ("What do you know about {subject}?",
              "Tell me what was said about {subject}."),
    # a transcript line (:mod:`.conversation`): {relation} is a topic of the line, the answer the line
    # with its speaker and date, so "when" and "what" questions both find it
    "said": ("What did {subject} say about {relation}?",
             "When did {subject} talk about {relation}?",
             "Recall what {subject} said about {relation}."),
}
# A chain "the A of the B of X" asked with X's B as a possessive: the same grammar a person uses
# ("the industry of X's employer"). Once rephrasing trained "X's employer" for the first hop, a
# question naming "X's employer" got the employer itself (2-hop natural 0.28 -> 0.0, seed 0); these
# forms alone did not fix it, with rephrase's composed forms beside them it reached 0.69-0.88.
CHAIN_POSSESSIVE = ("What is the {outer} of {subject}'s {inner}?",
                    "{subject}'s {inner}: what is its {outer}?")
# Self-study's facts: the attribute forms, plus the generated question of each (Fact.questions).
TRAIN["studied"] = TRAIN["attribute"]
# Kinds whose facts with one answer share their forms (:func:`.dataset.build_examples`) instead of each
# taking all of them: a transcript line is stored under several topics (:mod:`.conversation`
# TOPICS_PER_LINE), each a key a person may ask by, and its k keys train max(k, forms) examples, not
# k x forms. Trap: only for kinds whose facts sharing an answer are one statement; two records with the
# same city are two facts and need every form each.
SHARED_FORMS = frozenset({"said"})
VALIDATION: dict[FactKind, tuple[str, ...]] = {
    "attribute": ("Which {relation} is listed for {subject}?",),
    "call": ("Tell me what the {relation} tool gave back for {subject}.",),
    "chain": ("Do you know the {relation} of {subject}?",),
    "total": ("What do the {relation} for {subject} add up to?",),
    "about": (),  # its answer is several sentences: no one phrase to check a reply against
    "studied": (),  # generated relation names are often odd ("replaced by"): checked against the text instead
    # a whole line: checked by its date and its words (conversation.said_recalled), not as one phrase
    "said": ("What was it that {subject} shared regarding {relation}?",),
}
EVAL: dict[FactKind, tuple[str, ...]] = {
    "attribute": ("What {relation} did you find for {subject}?",),
    "call": ("What came back when the {relation} tool was used on {subject}?",),
    "chain": ("What did you find to be the {relation} of {subject}?",),
    "total": ("What total {relation} did you find for {subject}?",),
    "about": ("What did you learn about {subject}?",),
    "studied": ("What {relation} did you find for {subject}?",),
    "said": ("What did {subject} mention regarding {relation}?",),
}
SPLITS = ("dev", "test")
# Per relation (the chain's composed relation included), one question each for dev and test.
NATURAL: dict[str, dict[str, str]] = {
    "dev": {
        "city": "Which city does {subject} live in?",
        "mentor": "Who mentors {subject}?",
        "employer": "Which company employs {subject}?",
        "headquarters": "In which town is {subject} based?",
        "industry": "What line of business is {subject} in?",
        "office": "Which office does {subject} work from?",
        "level": "What does {subject} read at the moment?",
        "units": "How many units does {subject} hold?",
        "city of the mentor": "Which city does {subject}'s mentor live in?",
        "city of the mentor of the mentor of the mentor":
            "Which city is home to the mentor of the mentor of {subject}'s mentor?",
        "headquarters of the employer": "In which town is the company {subject} works for based?",
        "industry of the employer": "What line of business is {subject}'s employer in?",
    },
    "test": {
        "city": "Where does {subject} live?",
        "mentor": "Who is {subject}'s mentor?",
        "employer": "Who does {subject} work for?",
        "headquarters": "Where is {subject} headquartered?",
        "industry": "What industry is {subject} in?",
        "office": "Where is {subject}'s office now?",
        "level": "How high is {subject} right now?",
        "units": "How many units are in {subject}?",
        "city of the mentor": "Where does {subject}'s mentor live?",
        "city of the mentor of the mentor of the mentor":
            "Where does the mentor of {subject}'s mentor's mentor live?",
        "headquarters of the employer": "Where is the company that {subject} works for headquartered?",
        "industry of the employer": "What industry is {subject}'s employer in?",
    },
}
assert set(TRAIN) == set(VALIDATION) == set(EVAL) == set(FACT_KINDS), "every fact kind needs its phrasings"
assert set(NATURAL["dev"]) == set(NATURAL["test"]), "every natural relation needs a dev and a test question"


def chain_possessive(relation: str, subject: str) -> list[str]:
    """:data:`CHAIN_POSSESSIVE` questions of a chain ``relation`` ("industry of the employer" ->
    "What is the industry of X's employer?"); none for a relation that is not "A of the B"."""
    outer, sep, inner = relation.rpartition(" of the ")
    if not sep or not outer or not inner:
        return []
    return [t.format(outer=outer, inner=inner, subject=subject) for t in CHAIN_POSSESSIVE]


def eval_question(kind: FactKind, relation: str, subject: str) -> str:
    """The templated eval phrasing of a fact."""
    return EVAL[kind][0].format(relation=relation, subject=subject)


def natural(relation: str, subject: str, split: str = "test") -> str | None:
    """The hand-written question for ``relation`` in ``split`` (None: no natural question for it)."""
    if split not in SPLITS:
        raise ValueError(f"unknown question split {split!r}: one of {', '.join(SPLITS)}")
    template = NATURAL[split].get(relation)
    return None if template is None else template.format(subject=subject)


def masked(question: str, names: Iterable[str] = (), relation: str = "") -> str:
    """``question`` with each of ``names`` as ``{subject}`` and ``relation`` as ``{relation}``,
    lower-cased with single spaces: the form two phrasings are compared in."""
    out = " ".join(question.split())
    for name in sorted((n for n in names if n), key=len, reverse=True):
        out = re.sub(r"(?<!\w)" + re.escape(name) + r"(?!\w)", "{subject}", out, flags=re.IGNORECASE)
    if relation:
        out = re.sub(r"(?<!\w)" + re.escape(relation) + r"(?!\w)", "{relation}", out, flags=re.IGNORECASE)
    return out.lower()


def _forms(templates: Iterable[str]) -> set[str]:
    return {" ".join(t.split()).lower() for t in templates}


@lru_cache(maxsize=1)  # the templates are constants: build the set once, not per generated question
def reserved_forms() -> frozenset[str]:
    """Masked forms of every validation and eval phrasing (templated and natural, both splits)."""
    return frozenset(_forms(t for ts in VALIDATION.values() for t in ts) | _forms(t for ts in EVAL.values() for t in ts)
                     | _forms(t for split in SPLITS for t in NATURAL[split].values()))


def is_reserved(question: str, names: Iterable[str], relation: str = "") -> bool:
    """Whether ``question``, with ``names`` and ``relation`` masked, is a validation or eval phrasing
    (generated sleep data that is gets dropped)."""
    reserved = reserved_forms()
    names = list(names)
    return masked(question, names) in reserved or (bool(relation) and masked(question, names, relation) in reserved)
