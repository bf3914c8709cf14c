"""Facts from an evicted window without a model: one pipeline for every kind of content.

For each learnable source (:mod:`.sources`: tool results, user messages, the agent's notes; never
the graph's nudges or failed calls):

1. structured content - the tool's artifact or the JSON the text parses to, and ``key: value``
   blocks in plain text - gives records at any depth (:mod:`.records`): one entity per record, its
   fields as ``attribute`` facts;
2. free text - the whole text when it is not JSON, and the sentence-like strings inside JSON - gives
   stated relations (:func:`.statements.stated_relations`) as ``attribute`` facts and, per named
   entity, the sentences about it as an ``about`` fact; a transcript (``Speaker: words`` lines) gives
   instead who said what and when, as ``said`` facts (:mod:`.conversation`);
3. a call whose short result gave nothing else gives a ``call`` fact ("what did TOOL return for
   ARGS"); a long one does not (its first characters were most of nothing: the sentences above and
   self-study cover it).

The same fact stated again keeps its last value, the earlier ones marked stale (:func:`.derive.latest_values`).
Self-study (:mod:`.self_study`) and derivations (:mod:`.derive`) are applied on top by the sleep.

Example::

    >>> [f.statement() for f in extract_facts(messages)]
    ['The city of Ana Lisk is Tarnwick.', 'The job of Ana Lisk is baker.', ...]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from ..call_text import call_arguments
from ..scoring import sentences
from .derive import latest_values
from .conversation import said_facts, utterances
from .facts import Fact
from .records import find_records, text_records
from .sources import Source, sources
from .statements import entity_sentences, stated_relations

__all__ = ["MAX_ANSWER_CHARS", "extract_facts", "facts_of", "free_texts", "is_tool_direction"]

MAX_ANSWER_CHARS = 400  # a call fact's answer: a result longer than this is read as text, not memorised whole


def _record_facts(records, origin: str) -> list[Fact]:
    return [Fact("attribute", r.subject, rel, v, source=origin) for r in records for rel, v in r.attributes.items()]


def _text_facts(text: str, origin: str) -> list[Fact]:
    if said := said_facts(text, origin):  # a transcript: who said what, when (not sentences about "Hey Jon")
        return said
    facts = [Fact("attribute", s, r, v, source=origin) for s, r, v in stated_relations(text)]
    facts += [Fact("about", name, "about", said, source=origin) for name, said in entity_sentences(text).items()]
    return facts


def _texts(source: Source) -> list[str]:
    """The free text of a source: all of it when it is not JSON, else the sentence-like strings inside."""
    return find_records(source.value)[1] if source.value is not None else [source.text]


def is_tool_direction(sentence: str, tools: Sequence[str]) -> bool:
    """Whether ``sentence`` tells the agent how to use one of its ``tools`` ("Next: call next_record
    for record 2."): it names the tool as an identifier (a name with ``_`` or a digit, as tools are
    named), or after "call"/"use"/"run" (a plain-word name such as ``search``)."""
    for tool in tools:
        name = re.escape(tool)
        if re.search(rf"(?<![\w-]){name}(?![\w-])", sentence) and (re.search(r"[_\d]", tool) or re.search(
                rf"\b(?:call|calling|use|using|run|invoke)\s+(?:the\s+)?{name}(?![\w-])", sentence, re.I)):
            return True
    return False


def free_texts(messages: Sequence[BaseMessage]) -> list[str]:
    """The free text of every learnable source in ``messages`` (what self-study reads), without the
    sentences that direct the agent to its tools (:func:`is_tool_direction`).

    Why: self-study reads a text's sentences that no deterministic reader understood, with the
    text's first sentence for context. The demo's record "Record 1 of 7: X lives in Y and works as a
    clockmaker. Next: call next_record for record 2." was fully read but for its "Next:" line, so every
    record went to the model again: ~12 s of generation per sleep for 3-4 facts already learned,
    re-asked in garbled relations ("the works as a clockmaker of Corrine Bay is X"), ~15% of the
    sleep's training examples (docs/demo.md, seeds 20-24 on bc70d5e).

    A transcript is left out whole: the transcript reader (:mod:`.conversation`) reads every line of
    it, with its speaker and date. Self-studied, LoCoMo conv-26's pages gave 7 facts over two sleeps,
    none right ("Caroline | speaker | Melanie", "nature | loved nature | 2 younger kids"), and the
    first became the adapter's answer to questions about Caroline ("The grandma of Caroline is
    Melanie."; docs/locomo/README.md, 4a94257)."""
    found = sources(messages)
    tools = sorted({s.tool for s in found if s.tool})
    out = []
    for text in (t for s in found for t in _texts(s)):
        if utterances(text):
            continue
        said = sentences(text)
        kept = [x for x in said if not is_tool_direction(x, tools)]
        if kept:
            out.append(text if len(kept) == len(said) else " ".join(kept))
    return out


def facts_of(source: Source) -> list[Fact]:
    """The facts one source gives (see the module docstring)."""
    if source.value is not None:
        records, texts = find_records(source.value)  # walked once: records and the free text inside
    else:
        records = [r for block in text_records(source.text) for r in find_records(block)[0]]
        texts = [source.text]
    facts = _record_facts(records, source.origin)
    for text in texts:
        facts += _text_facts(text, source.origin)
    if source.tool and source.args and not facts and len(source.text) <= MAX_ANSWER_CHARS:
        subject = call_arguments(source.args, quote=False)
        facts.append(Fact("call", subject, source.tool, source.text, source=source.origin))
    return facts


def extract_facts(messages: Sequence[BaseMessage]) -> list[Fact]:
    """Every fact in ``messages`` (latest value wins; see the module docstring)."""
    return latest_values([f for s in sources(messages) for f in facts_of(s)])
