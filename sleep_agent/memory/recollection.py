"""What the sleep memory puts in the prompt before a model call: a recollection from the adapter.

The weight memory's counterpart of the vector store's retrieved block. A woken 0.5B model answers a
question asked in the form its sleep trained ("What is the city of X?"), but in its own long agent
prompt it does not bring that knowledge into the loop by itself (issue 21: the demo answered WRONG
while the adapter alone answered right). So before the agent's call, the memory:

1. finds the entities the sleeps consolidated (the adapter's sleep-data file: subjects and relations,
   never its answers) that the task or the latest turns name, as whole words, and of those keys the
   ones whose relation the texts name too (:func:`named_keys`: a speaker's name alone picks none of
   their hundreds of lines; a record's name with no relation named picks all its few);
2. asks the model, adapter on, about each (entity, relation) in two forms its kind of fact was
   trained in (:data:`FORMS`: a transcript's ``said`` line is asked "What did Jon say about the
   bank?", never "What is the bank of Jon?"), batched, and keeps the first reply that says something;
3. puts the replies that are not declines or tool calls into the system prompt as a labelled block,
   within :data:`~sleep_agent.settings.AgentSettings.recollection_share` of the budget.

The block is what the weights say, not a copy of the data: the answers come from generation, and can
be wrong. The result is kept in the graph state (``recollection``) with the adapter version and the
keys it was made for, and reused while neither changes, so a step costs a recollection only
after a sleep or when the turns name another consolidated key.

Example::

    >>> keys = named_keys(live.path, ["Then answer: where does Samor Fenkarin live?"])
    >>> recollect(runtime, live.version, keys, 120, count)["lines"]
    ['The city of Samor Fenkarin is Olvesby.', 'The job of Samor Fenkarin is weaver.']
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..consolidation import QA_SYSTEM_PROMPT, answer_questions
from ..consolidation.engine import SLEEP_DATA_FILE
from ..consolidation.phrasings import TRAIN
from ..scoring import is_decline

__all__ = ["FORMS", "HEADER", "MAX_QUESTIONS", "Key", "asked_keys", "block", "consolidated_keys", "named_keys",
           "recollect"]

# (entity, relation) pairs asked per recollection: the first ones in the order named. Each costs two
# generated answers (~1 s each on 2 CPU cores, in one batch); the block's share of the budget bounds it too.
MAX_QUESTIONS = 8
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
HEADER = "[Recollection] What your memory (adapter v{version}) holds about names in this task; it can be wrong:"


class Key(NamedTuple):
    """A consolidated fact to recollect: its entity, relation and the kind of :data:`FORMS` to ask in."""

    subject: str
    relation: str
    kind: str = "attribute"


def consolidated_keys(folder: str | Path) -> list[Key]:
    """The :class:`Key` of every fact an adapter version consolidated (its sleep-data file, earlier
    sleeps' facts included), in order; the answers in that file are never read. The kind is read off
    the trained questions: a fact trained in the ``said`` forms is a line of a transcript.

    ``about`` facts (what the text said about an entity, whole sentences) are left out: in the first
    demo run with them the block held a garbled copy of a record ("Record 2 of 7: Samor Fenkarin
    lives in ...") and the woken model wrote such a record as its reply instead of calling the tool."""
    return list(_keys_of(str(folder)))


@lru_cache(maxsize=16)  # read once per version: a published version folder never changes
def _keys_of(folder: str) -> tuple[Key, ...]:
    path = Path(folder) / SLEEP_DATA_FILE
    if not path.is_file():
        return ()
    kinds: dict[tuple[str, str], str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if row.get("part") == "probe" and row.get("subject") and row.get("relation") not in (None, "", "about"):
            pair = (row["subject"], row["relation"])
            said = row.get("question") in {f.format(subject=pair[0], relation=pair[1]) for f in TRAIN["said"]}
            kinds[pair] = "said" if said or kinds.get(pair) == "said" else "attribute"
    return tuple(Key(s, r, k) for (s, r), k in kinds.items())


def _named(subject: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(subject.lower()) + r"(?!\w)", text) is not None


# The trained forms each key is asked in, by kind, in order of preference; the first reply that is
# neither a decline nor a tool call is kept. For attributes the first is the one trained phrasing the
# "no record" anchors never use (consolidation/anchors.py UNKNOWN_TRAIN): anchors' made-up names look
# like the worlds' names, and a woken adapter answered "I have no record of X" for a consolidated X in
# the anchors' phrasings while giving the right city in this one (demo seed 11, 2026-12-03). Only
# consolidated names are asked, so a decline here is never the right answer. A ``said`` fact is asked
# what was said, not when (its "When did ... talk about" form would bring back only a date).
FORMS: dict[str, tuple[str, ...]] = {"attribute": (TRAIN["attribute"][1], TRAIN["attribute"][0]),
                                     "said": (TRAIN["said"][0], TRAIN["said"][2])}


def _questions(key: Key) -> list[str]:
    return [form.format(subject=key.subject, relation=key.relation.replace("_", " ")) for form in FORMS[key.kind]]


def block(rec: dict | None) -> str:
    """The prompt text of a recollection (empty when it holds nothing)."""
    if not rec or not rec.get("lines"):
        return ""
    return "\n".join([HEADER.format(version=rec["version"]), *(f"- {line}" for line in rec["lines"])])


def _same_word(a: str, b: str) -> bool:
    """Whether two lower-case words are one word in two forms ("painting", "painted"): equal, or
    sharing a stem of 5 letters or more that leaves each at most 4 letters of ending ("travelled",
    "travelling"; not "transgender", "transition")."""
    if a == b:
        return True
    stem = len(os.path.commonprefix([a, b]))
    return stem >= 5 and max(len(a), len(b)) - stem <= 4


def _relation_named(relation: str, words: set[str]) -> bool:
    """Whether every word of ``relation`` ("Door Dash", "flooring") is among ``words`` in some form."""
    parts = _WORD.findall(relation.lower().replace("_", " "))
    return bool(parts) and all(any(_same_word(p, w) for w in words) for p in parts)


def named_keys(folder: str | Path, texts: Sequence[str]) -> list[Key]:
    """The consolidated keys whose subject ``texts`` name as whole words; if the texts also name the
    relation of some of them, only those.

    A transcript's speaker has a key per topic of every line (hundreds in a LoCoMo conversation), so
    the speaker's name alone would pick the first lines read, not the one asked about: "When did
    Caroline go to the LGBTQ support group?" keeps Caroline's keys LGBTQ, support and group (in any
    form of the word: "painted" names "painting"), and a question that names none of a speaker's
    topics keeps none of their lines (the recall tool still asks the adapter the question itself). A
    question naming none of a record's relations ("Where does Samor Fenkarin live?" of a city) keeps
    all its keys, in the order consolidated: a record has a few."""
    seen = " ".join(texts).lower()
    keys = [k for k in consolidated_keys(folder) if _named(k.subject, seen)]
    words = set(_WORD.findall(seen))
    return [k for k in keys if _relation_named(k.relation, words)] or [k for k in keys if k.kind != "said"]


def asked_keys(keys: Sequence[Key]) -> list[list[str]]:
    """The ``[subject, relation]`` pairs :func:`recollect` asks about (the first :data:`MAX_QUESTIONS`),
    as kept in a recollection (JSON-friendly: the graph state is checkpointed)."""
    return [[k.subject, k.relation] for k in keys[:MAX_QUESTIONS]]


def recollect(runtime, version: int, keys: Sequence[Key], budget_tokens: int,
              count: Callable[[str], int]) -> dict:
    """Ask the model (adapter ``version`` active on ``runtime``) about ``keys`` (:func:`named_keys`);
    the replies that fit ``budget_tokens`` as counted by ``count``: ``{"version", "entities", "keys",
    "lines"}`` (``keys``: the asked ``[subject, relation]`` pairs, what a cached block is checked by)."""
    rec = {"version": version, "entities": list(dict.fromkeys(k.subject for k in keys)),
           "keys": asked_keys(keys), "lines": []}
    if not keys or budget_tokens <= 0:
        return rec
    asked = [_questions(k) for k in keys[:MAX_QUESTIONS]]
    replies = iter(answer_questions(runtime, [q for qs in asked for q in qs], QA_SYSTEM_PROMPT))
    for qs in asked:
        got = [next(replies) for _ in qs]
        usable = [str(r).strip() for r in got if str(r).strip() and not r.tool_call and not is_decline(str(r))]
        if not usable or usable[0] in rec["lines"]:  # two keys of one transcript line bring it back twice
            continue
        candidate = {**rec, "lines": rec["lines"] + [usable[0]]}
        if count(block(candidate)) > budget_tokens:
            break
        rec = candidate
    return rec
