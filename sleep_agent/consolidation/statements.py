"""Facts from free text without a model: stated relations, and what is said about each entity.

Two deterministic readers, so a sleep over plain text learns something whatever the quality of
self-study's generated questions (:mod:`.self_study`):

- :func:`stated_relations`: sentences that state a relation in a few common shapes - "Ana Reyes lives in
  Olvesby and works as a baker", "the code of door B7 set to 4411", "Brightwell's headquarters is
  Tarnwick" - give (subject, relation, value) triples. The verbs map to the relation names the
  structured tools use (lives in -> city, works for -> employer), so a record read as text and the
  same record read as JSON give the same facts. Relation nouns map the same way ("the head office of
  X" -> headquarters, :data:`RELATION_WORDS`).
- :func:`entity_sentences`: every named entity (a capitalised name of two or more words, or a code with
  digits such as K-192) with the sentences that mention it; the sleep trains "What do you know about
  X?" on them (EntiGraph-style entity-centred statements, Yang et al. 2024, without the generated
  rewrites).

Both read a sentence that opens with a pronoun ("Its line of business is brewing.", "She moved to
Selbury.") as being about the entity last named before it (:func:`resolved_sentences`): a record
paragraph names its entity once and then says "it".

Example::

    >>> stated_relations("Record 3 of 10: Ana Lisk lives in Tarnwick and works as a baker.")
    [('Ana Lisk', 'city', 'Tarnwick'), ('Ana Lisk', 'job', 'baker')]
"""

from __future__ import annotations

import re

from ..scoring import sentences

__all__ = ["MAX_ABOUT_SENTENCES", "RELATION_WORDS", "entity_sentences", "names_in", "resolved_sentences",
           "stated_relations"]

MAX_ABOUT_SENTENCES = 3   # sentences kept per entity: the first mentions; more made answers too long to train
MAX_VALUE_WORDS = 6       # a value longer than this is a clause, not a value

# A name: capitalised words (with "of"/"de"/"van" inside), or a code with a digit ("K-192", "B7"),
# optionally after a lower-case noun ("door B7", "crate K-1").
_CAP = r"[A-Z][\w'&-]*"
_CODE = r"[A-Z][\w-]*\d[\w-]*|\d+[A-Z][\w-]*"
NAME = rf"(?:(?:[a-z]+\s+)?(?:{_CODE})|{_CAP}(?:\s+(?:(?:of|de|van|von|da|the)\s+)?{_CAP})*)"
# A value: up to a clause boundary (" and ", " after ", a comma, a semicolon, the sentence's end). Text
# is split into sentences first (scoring.sentences), so a period inside one is an abbreviation ("St. Ives").
_BOUNDARY = r"and|but|by|after|before|on|at|because|when|since|while|until|during|which|who"
_VALUE = rf"(?P<val>[^,;]+?)(?=\s+(?:{_BOUNDARY})\s|[,;]|[.!?]?\s*$)"

# Verb phrases and the relation each states (the names the project's structured tools use).
VERBS: dict[str, str] = {
    "lives in": "city", "resides in": "city", "moved to": "city", "is from": "city",
    "works as an": "job", "works as a": "job", "works as": "job", "is employed as a": "job",
    "works for": "employer", "works at": "employer", "is employed by": "employer",
    "is headquartered in": "headquarters", "is based in": "headquarters", "has its headquarters in": "headquarters",
    "is mentored by": "mentor", "reports to": "manager", "holds": "holds", "costs": "price",
    "trades in": "industry",
}
# Relation nouns in "the R of X is V" / "X's R is V" said in other words than the field names.
RELATION_WORDS: dict[str, str] = {
    "line of business": "industry", "sector": "industry", "head office": "headquarters",
    "main office": "headquarters", "home town": "city", "hometown": "city",
}
_VERB = "|".join(sorted((re.escape(v) for v in VERBS), key=len, reverse=True))
_VERB_RE = re.compile(rf"(?:(?P<subj>{NAME})\s+)?(?P<verb>{_VERB})\s+{_VALUE}")
# "the R of S is V", "R of S set to V", "S's R is V"
_LINK = (r"(?:(?:is|was|has been|had been|were|are)\s+(?:now\s+)?(?:set|changed|updated|moved|reset)\s+to|"
         r"is now|is|was|are|were|has been|set to|changed to|updated to|reset to|now|=|:)")
_OF_RE = re.compile(rf"(?:\b[Tt]he\s+)?(?P<rel>[a-z][a-z ]{{0,30}}?)\s+of\s+(?P<subj>{NAME})\s+{_LINK}\s+{_VALUE}")
_POSS_RE = re.compile(rf"(?P<subj>{NAME})'s\s+(?P<rel>[a-z][a-z ]{{0,30}}?)\s+{_LINK}\s+{_VALUE}")
_NAME_RE = re.compile(NAME)
# A sentence opening with a pronoun: possessive ("Its ...") or subject ("It ...").
_PRONOUN_RE = re.compile(r"^(?:(?P<poss>Its|His|Her|Their)|It|He|She|They)\b")
# Capitalised words that start sentences or label things, not names on their own.
_NOT_NAMES = frozenset("the a an this that these those it he she they we i you record entry page next note "
                       "result results error call and but or if when then now later today yesterday after before "
                       "meanwhile also however finally first so on in at by for from with".split())
# The capitalised run a name-like value starts with (dots kept: "St. Ives").
_LEADING_NAME = re.compile(r"[A-Z][\w'&.-]*(?:\s+(?:(?:of|de|van|von|da|the)\s+)?[A-Z][\w'&.-]*)*")


def _clean(value: str) -> str | None:
    value = value.strip().strip("\"'")
    value = re.sub(r"^(?:in|at|the)\s+", "", value).strip()
    if value[:1].isupper():  # a name ends where its capitalised words do: "Selbury some years ago" -> "Selbury"
        value = _LEADING_NAME.match(value).group().rstrip(".")
    if not value or len(value.split()) > MAX_VALUE_WORDS:
        return None
    return value


def _is_name(candidate: str) -> bool:
    words = candidate.split()
    if not words:
        return False
    if any(ch.isdigit() for ch in candidate):
        return True  # a code
    # Single capitalised words are left out: most are sentence starts, not names.
    return len([w for w in words if w.lower() not in _NOT_NAMES]) >= 2


def names_in(text: str) -> list[str]:
    """The named entities in ``text`` (multi-word capitalised names and codes), in order of first mention."""
    out: dict[str, None] = {}
    for m in _NAME_RE.finditer(text):
        name = m.group().strip()
        words = name.split()
        while words and words[0].lower() in _NOT_NAMES:  # "Record Ana Lisk" never; "The Harbour Board" -> "Harbour Board"
            words = words[1:]
        name = re.sub(r"'s?$", "", " ".join(words))  # "Ana Lisk's office" is about Ana Lisk
        if _is_name(name):
            out.setdefault(name, None)
    return list(out)


def resolved_sentences(text: str) -> list[str]:
    """The sentences of ``text``, a leading pronoun replaced by the entity named last before it.

    Nearest-name rule: the first name of the latest sentence that has one ("Registry entry for Brightwell.
    No complaints are on file. It trades in brewing." -> "Brightwell trades in brewing."). A pronoun
    with no name before it is left as it is.
    """
    out, last = [], None
    for sentence in sentences(text):
        m = _PRONOUN_RE.match(sentence)
        if m and last:
            sentence = (f"{last}'s" if m.group("poss") else last) + sentence[m.end():]
        last = next(iter(names_in(sentence)), last)
        out.append(sentence)
    return out


def stated_relations(text: str) -> list[tuple[str, str, str]]:
    """(subject, relation, value) triples the sentences of ``text`` state (see the module docstring)."""
    out: list[tuple[str, str, str]] = []
    for sentence in resolved_sentences(text):
        subject = None  # "X lives in A and works as B": the second clause's subject is X
        found: list[tuple[int, str, str, str]] = []
        for m in _VERB_RE.finditer(sentence):
            subj = m.group("subj")
            subj = subj.strip() if subj and _is_name(subj.strip()) else None
            subject = subj or subject or next(iter(names_in(sentence[:m.start()])), None)
            if subject and (value := _clean(m.group("val"))):
                found.append((m.start(), subject, VERBS[m.group("verb")], value))
        for regex in (_OF_RE, _POSS_RE):
            for m in regex.finditer(sentence):
                subj, rel = m.group("subj").strip(), m.group("rel").strip()
                if _is_name(subj) and rel.split()[-1] not in ("and", "or") and (value := _clean(m.group("val"))):
                    found.append((m.start(), subj, RELATION_WORDS.get(rel, rel), value))
        out += [(s, r, v) for _, s, r, v in sorted(found)]
    return list(dict.fromkeys(out))


def entity_sentences(text: str) -> dict[str, str]:
    """Each named entity in ``text`` -> the first :data:`MAX_ABOUT_SENTENCES` sentences that mention it."""
    about: dict[str, list[str]] = {}
    for sentence in resolved_sentences(text):
        for name in names_in(sentence):
            kept = about.setdefault(name, [])
            if len(kept) < MAX_ABOUT_SENTENCES and sentence not in kept:
                kept.append(sentence)
    return {name: " ".join(ss) for name, ss in about.items()}
