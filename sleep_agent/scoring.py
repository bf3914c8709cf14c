"""Reading a reply: the one checker behind validation, the benchmarks and the evals.

Every number the project reports comes from asking a question and checking the reply, so the
checker is strict in both directions:

- a reply that is a tool call (``<tool_call>`` tags, or a JSON object naming a tool with arguments)
  is wrong, whatever it contains, and is counted on its own (:func:`is_tool_call`);
- a reply that is markup rather than words - it opens with a prompt tag such as ``<recollection>`` or
  with a JSON object or list - is wrong too: an agent that echoes its recollection block or a record
  has not answered, even when the value is in the echo (:func:`is_markup`);
- numbers match as whole tokens anywhere in the reply: "The crate K-192 holds 36 units." answers 36
  (K-192 is an identifier, not a number), "1,200" is 1200, "3.50" is 3.5, "36kg" is 36; "15" and
  "5.5" do not answer 5, nor does the "10" of the address 10.0.4.17 (:func:`numbers_in`);
- names and words match on word boundaries, case and spacing aside: "Ana" is not in "Canada",
  "ice" is not in "advice" (:func:`mentions`);
- a reply that also states a value known to be wrong (the value before an update) is wrong.

:func:`first_sentence` cuts a reply after its first sentence without cutting decimals ("3.50"),
abbreviations ("St. Ives", "Dr. Vey"), initials or dotted addresses ("10.0.4.17").

Example::

    >>> is_correct("The crate K-192 holds 36 units.", "36", "number")
    True
    >>> is_correct('{"name": "read_ledger", "arguments": {"page": 5}}', "5", "number")
    False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from .models.tool_json import decode_at
from .models.tool_schema import is_call_attempt

__all__ = ["CHECKS", "DECLINE_MARKERS", "first_sentence", "first_sentence_done", "is_correct", "is_decline",
           "is_markup", "is_tool_call", "mentions", "numbers_in", "recalls", "sentences", "token_f1"]

CHECKS = ("contains", "exact", "number", "decline")  # how an expected answer is matched (see is_correct)

# Phrases that decline instead of answering (matched on word boundaries).
DECLINE_MARKERS = ("no record", "don't know", "do not know", "not know", "no information", "unknown",
                   "not sure", "cannot find", "can't find", "could not find", "couldn't find", "not found",
                   "don't have", "do not have", "not available", "i'm sorry", "i am sorry", "unable to")

# Words after which a period does not end a sentence (lower case, without the period).
_ABBREVIATIONS = frozenset(
    "st mr mrs ms dr prof sr jr mt ft rd ave blvd vs etc inc ltd co corp dept approx "
    "e.g i.e a.m p.m u.s u.k jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Spelled-out numbers a short answer may use ("eight legs").
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
# A number token: optional minus, digits with optional thousands groups, optional decimals.
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def is_tool_call(reply: str) -> bool:
    """The reply is (or contains) a tool call rather than an answer in words."""
    if "<tool_call>" in reply:
        return True
    for start in (m.start() for m in re.finditer(r"\{", reply)):
        obj, _ = decode_at(reply, start)
        if isinstance(obj, dict) and is_call_attempt(obj, {}):
            return True
    return False


# A reply that opens like this is an echo of markup, not an answer: a tag (<recollection>, </tool_response>)
# or the start of a JSON object or list.
_MARKUP_START = re.compile(r"\s*(?:</?[A-Za-z_][\w-]*>|[{\[])")


def is_markup(reply: str) -> bool:
    """The reply opens with a tag or a JSON object or list (an echo of the prompt or of a record)."""
    return _MARKUP_START.match(reply) is not None


def numbers_in(text: str) -> list[Decimal]:
    """Every number that stands as a whole token in ``text`` (identifiers, versions and dotted
    addresses are not numbers; units and ordinals right after a number are allowed)."""
    out = []
    for m in _NUMBER.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end():m.end() + 2]
        if before.isalnum() or before in "._-":
            continue  # K-192, x3, v2.1 (a minus sign of its own, as in "-5", is part of the match)
        if re.match(r"[.,]\d|\d", after):
            continue  # 10.0.4.17: part of a longer dotted token
        out.append(Decimal(m.group().replace(",", "")))
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _NUMBER_WORDS:
            out.append(Decimal(_NUMBER_WORDS[word]))
    return out


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def mentions(reply: str, phrase: str) -> bool:
    """``phrase`` appears in ``reply`` as whole words (case and runs of spaces ignored)."""
    phrase = _norm(phrase).rstrip(".")
    if not phrase:
        return False
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", _norm(reply)) is not None


def _matches(reply: str, answer: str, check: str) -> bool:
    if check == "exact":
        return _norm(reply).rstrip(".") == _norm(answer).rstrip(".")
    bare_number = _NUMBER.fullmatch(answer.strip().rstrip("."))
    if check == "number" or bare_number:
        wanted = numbers_in(answer.strip())
        return len(wanted) == 1 and wanted[0] in numbers_in(reply)
    return mentions(reply, answer)


def is_correct(reply: str, answer: str | Sequence[str], check: str = "contains", *,
               wrong: Sequence[str] = ()) -> bool:
    """Whether ``reply`` answers ``answer`` (one string, or several accepted alternatives).

    ``check``: ``contains`` (the answer as whole words anywhere; a numeric answer as a whole number),
    ``number`` (the answer's number among the reply's whole-token numbers), ``exact`` (the reply is
    the answer, final period aside) or ``decline`` (the reply declines: a question about a name never
    seen; ``answer`` is ignored). A tool call or a markup echo (:func:`is_markup`) is never
    correct, and neither is a reply that also matches one of ``wrong`` (e.g. the value before an update).
    """
    if check not in CHECKS:
        raise ValueError(f"unknown check {check!r}: one of {', '.join(CHECKS)}")
    if not reply or is_tool_call(reply) or is_markup(reply):
        return False
    if check == "decline":
        return is_decline(reply)
    accepted = [answer] if isinstance(answer, str) else list(answer)
    if not any(a.strip() and _matches(reply, a, check) for a in accepted):
        return False
    return not any(w.strip() and _matches(reply, w, check) for w in wrong)


_ARTICLES = re.compile(r"\b(a|an|the|and)\b")


def _f1_tokens(text: str) -> list[str]:
    """LoCoMo's answer normalisation: lower case, punctuation and articles gone (no stemming)."""
    text = re.sub(r"[^\w\s]", " ", text.lower().replace(",", ""))
    return _ARTICLES.sub(" ", text).split()


def _f1(reply: list[str], gold: list[str]) -> float:
    common = sum(min(reply.count(t), gold.count(t)) for t in set(gold))
    if not common:
        return 0.0
    precision, recall = common / len(reply), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(reply: str, answer: str, *, multi: bool = False) -> float:
    """Token F1 of ``reply`` against ``answer``, as the LoCoMo paper scores answers (Maharana et al.
    2024, its evaluation code): normalised tokens, F1 of their overlap. ``multi`` (LoCoMo's multi-hop
    category): the answer is a comma-separated list, each part scored by its best F1 against the
    reply's comma-separated parts, then averaged. A tool-call or markup reply scores 0. What differs: no Porter
    stemming (the paper's code stems with nltk; here "dances" and "dance" do not match)."""
    if not reply or is_tool_call(reply) or is_markup(reply):
        return 0.0
    if not multi:
        return round(_f1(_f1_tokens(reply), _f1_tokens(answer)), 4)
    golds = [g for g in (_f1_tokens(part) for part in str(answer).split(",")) if g]
    replies = [r for r in (_f1_tokens(part) for part in reply.split(",")) if r] or [[]]
    if not golds:
        return 0.0
    return round(sum(max(_f1(r, g) for r in replies) for g in golds) / len(golds), 4)


# Words that carry no content of a passage: a reply gives them whatever it recalls.
_FUNCTION_WORDS = frozenset("""i i'm me my mine we our you your he him his she her they them their it its is
was are were be been being am to of in on at for with by from that this these those as but or so not no
have has had do did does will would can could just also very there here what which who when where how
said say says""".split())


def recalls(reply: str, passage: str, *, given: str = "", share: float = 0.5) -> bool:
    """Whether ``reply`` gives at least ``share`` of the words of ``passage`` that ``given`` (the
    question) does not: a passage recalled, in any order, not echoed from the question.

    Words are :func:`token_f1`'s normalised tokens, function words (:data:`_FUNCTION_WORDS`) aside;
    a passage with no word left is never recalled, and a tool call or markup recalls nothing.

        >>> recalls("Gina launched an ad campaign for her store.", "I just launched an ad campaign for my store.")
        True
    """
    if not reply or is_tool_call(reply) or is_markup(reply):
        return False
    skip = _FUNCTION_WORDS | set(_f1_tokens(given))
    wanted = {t for t in _f1_tokens(passage) if t not in skip}
    if not wanted:
        return False
    return len(wanted & set(_f1_tokens(reply))) >= share * len(wanted) - 1e-9


def is_decline(reply: str) -> bool:
    """The reply declines ("no record", "I don't know", ...) instead of answering; a tool call does not."""
    if not reply or is_tool_call(reply) or is_markup(reply):
        return False
    return any(mentions(reply, m) for m in DECLINE_MARKERS)


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence (or its first line).

    A period ends a sentence only when whitespace or the end of the text follows it and the word
    before it is not an abbreviation or an initial; "!" and "?" followed by whitespace, and line
    breaks, always do.
    """
    for i, ch in enumerate(text):
        if ch == "\n":
            if text[:i].strip():
                return text[:i]
            continue
        if ch not in ".!?" or not text[:i].strip():
            continue
        if i + 1 < len(text) and not text[i + 1].isspace():
            continue  # 3.50, 10.0.4.17, e.g.x, "?" inside a token
        if ch == ".":
            word = re.search(r"([\w.]+)$", text[:i])
            w = word.group(1).lower() if word else ""
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha() and text[i - 1].isupper()):
                continue  # St. Ives, Dr. Vey, J. R. Smith
        return text[:i + 1]
    return text


def sentences(text: str) -> list[str]:
    """``text`` split into sentences and lines the way :func:`first_sentence` cuts one (stripped, no empties)."""
    out, rest = [], text
    while rest.strip():
        head = first_sentence(rest)
        if head.strip():
            out.append(head.strip())
        rest = rest[len(head):]
    return out


def first_sentence_done(text: str) -> bool:
    """Whether ``text`` already holds a whole first sentence and the start of what follows (so
    decoding can stop: the reply is scored up to there)."""
    return first_sentence(text) != text
