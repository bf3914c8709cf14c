"""Self-study: the sleeping model reads the window's free text and writes questions about it.

Follows the idea of Cartridges' self-study (Eyuboglu et al. 2025: the model generates synthetic
conversations about a corpus chunk in context, and those train the compact memory), SEAL (Zweiger et
al. 2025: the model writes its own "self-edits" - restatements and implications - to finetune on) and
Active Reading / EntiGraph (Lin et al. 2025; Yang et al. 2024: study the text in varied ways,
centred on its entities). What differs here, for a 0.5B model on 2 CPU cores:

- generation is short and greedy - one batched call (:meth:`LocalRuntime.generate_batch`), at most
  :data:`MAX_CHUNKS` chunks and :data:`MAX_PAIRS_PER_CHUNK` pairs each, so a sleep stays bounded;
- it reads only what the deterministic readers left: sentences that state no relation
  :mod:`.statements` could read, with the first sentence of each text kept for who it is about, and
  no transcript (:func:`.extract.free_texts`: :mod:`.conversation` reads every line of one)
  (a first probe that read everything took 13 minutes for a 2k-token window, mostly re-asking
  facts already extracted);
- each pair comes with its triple (question | answer | subject | relation), so the fact is trained
  in the project's phrasings as well as in the generated wording;
- nothing generated is trusted: a pair is dropped unless its answer and subject appear as whole words
  in one sentence of the chunk (a sentence opening with "It"/"She" counts as naming the entity named
  before it, :func:`.statements.resolved_sentences`), the question does not give the answer away, and
  the question is not a validation or eval phrasing once names are masked (:func:`.phrasings.is_reserved`).
  One sentence, not the whole chunk: checked against the chunk, a filler line's word became a person's
  office ("The entry was last checked in the spring." -> "the office of X is spring") and an update's
  new value the value of "registry entry" (the smoke suite in prose, `docs/eval-smoke-forms/`). The
  subject checked is the name inside the generated one ("registry entry for X" -> X, the entity the
  fact is stored under): checked as written, 168 of 173 generated pairs were dropped in the prose
  smoke suite's 48 sleeps, right ones such as "current reading of X | 57" among them;
- the adapter is off while generating: the base model reads the text, not an earlier sleep's memory.

Self-study adds to, never replaces, the deterministic facts of :mod:`.extract`.

Example::

    >>> facts, stats = self_study(runtime, ["Kira Holt replaced the pump in hall 3 on 12 May."])
    >>> stats["kept"], facts[0].subject, facts[0].questions
    (1, 'pump in hall 3', ('Who replaced the pump in hall 3?',))
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ..scoring import mentions, sentences
from .facts import Fact
from .phrasings import is_reserved
from .statements import names_in, resolved_sentences, stated_relations

__all__ = ["CHUNK_CHARS", "MAX_CHUNKS", "MAX_PAIRS_PER_CHUNK", "STUDY_TOKENS", "chunks", "parse_pairs",
           "self_study", "supported"]

CHUNK_CHARS = 1000        # text read per prompt: about 250 tokens, a few records or a page of notes
MAX_CHUNKS = 8            # chunks studied per sleep (SleepConfig.self_study): bounds its generation time
MAX_PAIRS_PER_CHUNK = 4   # pairs kept per chunk
STUDY_TOKENS = 128        # tokens generated per chunk: four short lines (decoding is most of the cost)
MAX_RELATION_WORDS = 4    # a relation longer than this is a clause, not a name for one

_INSTRUCTION = ("Write quiz questions about the specific facts in the text (names, numbers, dates, codes, "
                "who did what), one per line, as: question | answer | subject | relation. "
                "Copy each answer word for word from the text.")
# One worked example (its own made-up text) so a small model follows the line format.
_EXAMPLE_TEXT = ("The pump in hall 3 was replaced on 12 May by Kira Holt. It now moves 40 litres a minute. "
                 "Order 5521 for Danvers Supply was shipped to Lodz.")
_EXAMPLE_REPLY = ("Who replaced the pump in hall 3? | Kira Holt | pump in hall 3 | replaced by\n"
                  "When was the pump in hall 3 replaced? | 12 May | pump in hall 3 | replacement date\n"
                  "How much does the pump in hall 3 move per minute? | 40 litres | pump in hall 3 | flow\n"
                  "Where was order 5521 shipped? | Lodz | order 5521 | destination")


def unread(text: str) -> list[str]:
    """The sentences of ``text`` that self-study reads: the first one (it usually names who the text
    is about), and every later one from which :func:`.statements.stated_relations` reads nothing."""
    said = sentences(text)
    return said[:1] + [s for s in said[1:] if not stated_relations(s)]


def chunks(texts: Sequence[str], size: int = CHUNK_CHARS, limit: int = MAX_CHUNKS) -> list[str]:
    """The :func:`unread` sentences of ``texts``, packed in order into chunks of about ``size``
    characters (one line per text), at most ``limit``. A text whose every sentence (or every one
    after the first) was read already gives nothing."""
    out: list[str] = []
    current = ""
    for text in texts:
        if all(stated_relations(s) for s in sentences(text)):
            continue  # every sentence was read already
        said = unread(text)
        if len(said) == 1 and len(sentences(text)) > 1:
            continue
        for i, s in enumerate(said):
            if current and len(current) + len(s) + 1 > size:  # cut between sentences
                out.append(current)
                current = ""
            current = f"{current}{chr(10) if i == 0 else ' '}{s}".strip()
    if current:
        out.append(current)
    return out[:limit]


def _prompt(chunk: str) -> list[dict]:
    ask = lambda text: f'Text:\n"""\n{text}\n"""\n{_INSTRUCTION}'  # noqa: E731
    return [{"role": "system", "content": "You write quiz questions about a text."},
            {"role": "user", "content": ask(_EXAMPLE_TEXT)}, {"role": "assistant", "content": _EXAMPLE_REPLY},
            {"role": "user", "content": ask(chunk)}]


def parse_pairs(reply: str) -> list[tuple[str, str, str, str]]:
    """``(question, answer, subject, relation)`` from each well-formed line of ``reply``."""
    out = []
    for line in reply.splitlines():
        parts = [p.strip().strip('"') for p in line.strip().lstrip("-*0123456789. ").split("|")]
        if len(parts) == 4 and all(parts) and parts[0].endswith("?"):
            out.append(tuple(parts))
    return out


def supported(chunk: str, question: str, answer: str, subject: str, relation: str) -> bool:
    """Whether a generated pair is kept (see the module docstring for each check)."""
    # The subject checked is the name the fact is stored under: the model often writes "registry entry
    # for X" as the subject, a phrase no sentence holds, while the fact it states is about X.
    entity = _entity(subject)
    said_together = any(mentions(s, answer) and mentions(s, entity) for s in resolved_sentences(chunk))
    return (said_together and not mentions(question, answer)
            and not mentions(subject, answer) and len(relation.split()) <= MAX_RELATION_WORDS
            and not is_reserved(question, [subject], relation))


def _entity(subject: str) -> str:
    """The name inside a generated subject ("registry entry for Ana Reyes" -> "Ana Reyes"): the
    entity gate and later questions know entities by name."""
    return max(names_in(subject), key=len, default=subject)


def self_study(runtime, texts: Sequence[str], *, origin: str = "free text", max_chunks: int = MAX_CHUNKS,
               max_pairs: int = MAX_PAIRS_PER_CHUNK) -> tuple[list[Fact], dict]:
    """Generated facts about ``texts`` (kind ``studied``, the generated question in ``questions``), and
    stats: ``chunks``, ``generated``, ``kept``, ``seconds``."""
    t0 = time.perf_counter()
    parts = chunks(texts, limit=max_chunks)
    stats = {"chunks": len(parts), "generated": 0, "kept": 0, "seconds": 0.0}
    if not parts:
        return [], stats
    prompts = [runtime.render(_prompt(c)) for c in parts]
    with runtime.adapter_disabled():
        replies = runtime.generate_batch(prompts, max_new_tokens=STUDY_TOKENS, batch_size=len(prompts))
    facts: list[Fact] = []
    for chunk, reply in zip(parts, replies):
        pairs = parse_pairs(reply)
        stats["generated"] += len(pairs)
        kept = [p for p in pairs if supported(chunk, *p)][:max_pairs]
        facts += [Fact("studied", _entity(subject), relation.lower(), answer, source=f"self-study: {origin}",
                       questions=(question,)) for question, answer, subject, relation in kept]
    stats["kept"] = len(facts)
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return facts, stats
