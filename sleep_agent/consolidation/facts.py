"""A fact: the unit of sleep data, with where it came from.

Every extractor (:mod:`.records`, :mod:`.statements`, :mod:`.self_study`) and every derivation
(:mod:`.derive`) produces :class:`Fact` values; :mod:`.dataset` turns them into training examples in
the phrasings of their ``kind`` (:mod:`.phrasings`), and the sleep writes them, with their ``source``,
next to the adapter (``facts.jsonl``) so a thread's memory can be inspected.

Example::

    >>> Fact("attribute", "Ana Reyes", "city", "Olvesby", source="lookup(name='Ana Reyes')").statement()
    'The city of Ana Reyes is Olvesby.'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..names import FACT_KINDS, FactKind

__all__ = ["Fact"]


@dataclass(frozen=True)
class Fact:
    """``subject`` has ``relation`` = ``answer``.

    Args:
        kind: picks the phrasings (:data:`sleep_agent.names.FACT_KINDS`): ``attribute`` (a field of a
            record or a stated relation), ``call`` (what a tool returned for its arguments), ``chain``
            (a derived 2-hop fact), ``total`` (a derived sum), ``about`` (what the text says about an
            entity: ``answer`` is those sentences), ``studied`` (a pair self-study generated and the
            text supports), ``said`` (a transcript line, :mod:`.conversation`: ``relation`` is a topic
            of it, ``answer`` the line with its speaker and date).
        source: where it came from - the tool call (``lookup(name='Ana')``), ``user message``,
            ``assistant note``, ``self-study: ...`` or ``derived``.
        stale: earlier values of the same fact in the window, replaced by ``answer`` (kept for the
            record; never trained, since training both makes the model pick one at random).
        questions: extra training phrasings of this fact (self-study's generated questions), beside
            the kind's templates. Never a validation or eval phrasing (:func:`.phrasings.is_reserved`).
    """

    kind: FactKind
    subject: str
    relation: str
    answer: str
    source: str = ""
    stale: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in FACT_KINDS:
            raise ValueError(f"unknown fact kind {self.kind!r}: one of {', '.join(FACT_KINDS)}")

    def statement(self) -> str:
        """The answer as a sentence, the form the sleep trains."""
        if self.kind in ("attribute", "chain", "studied"):
            return f"The {self.relation} of {self.subject} is {self.answer}."
        if self.kind == "total":
            return f"The total {self.relation} for {self.subject} is {self.answer}."
        return self.answer

    def to_dict(self) -> dict:
        return asdict(self)
