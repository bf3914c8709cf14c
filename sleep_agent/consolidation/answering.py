"""Gated answering: the one way the sleep's memory is asked a question, with no window.

Used by validation after a sleep, by the sleep memory's ``recall`` and by the benchmarks and evals,
so every number is produced the way the agent asks. A question naming an entity the thread's sleeps
consolidated goes to the adapter; any other goes to the base model, which declines names it finds
unfamiliar (:mod:`.familiar`) and is told to say so for the rest (:data:`DECLINE_PROMPT`).

Example::

    >>> answer_questions(runtime, ["Which city is listed for Samor Fenkarin?"], gate=EntityGate.from_adapter(v.path))
    ['The city of Samor Fenkarin is Olvesby.']
"""

from __future__ import annotations

from collections.abc import Sequence

from .anchors import UNKNOWN_ANSWER
from .dataset import QA_SYSTEM_PROMPT
from .familiar import UNFAMILIAR_NATS, unfamiliar_names
from .gate import EntityGate

__all__ = ["DECLINE_PROMPT", "answer_question", "answer_questions", "first_sentence"]

# Told to the base model for a question the gate routes away from the adapter. Made-up names rarely get
# this far (the familiarity check declines them first, :mod:`.familiar`); the instruction is for
# the ones that slip through, e.g. a lower-cased name.
DECLINE_PROMPT = (" Answer from general knowledge. If the question asks about a specific person, company "
                  "or place that you do not know, reply: I have no record of it.")


def first_sentence(text: str) -> str:
    """A reply cut after its first sentence, as single-question decoding stops there."""
    for i, ch in enumerate(text):
        if ch == "\n" or (ch == "." and text[:i + 1].rstrip()):
            return text[:i + 1]
    return text


def answer_questions(runtime, questions: Sequence[str], system_prompt: str = QA_SYSTEM_PROMPT,
                     max_new_tokens: int = 24, *, gate: EntityGate | None = None, context: Sequence[dict] = (),
                     unfamiliar_nats: float | None = UNFAMILIAR_NATS) -> list[str]:
    """Short answers (first sentence) to ``questions``, batched; ``context`` (chat dicts) goes first.

    With a ``gate``, a question that names no consolidated entity is answered by the base model
    (adapter off): declined outright if it names someone the base model does not know
    (:mod:`.familiar`; ``unfamiliar_nats=None`` skips that check), else asked with
    :data:`DECLINE_PROMPT` (no worked decline examples: they made the model refuse real names,
    docs/decline-shots.md). See :mod:`.gate`.
    """
    def ask(qs: list[str], prompt: str) -> list[str]:
        rendered = [runtime.render([{"role": "system", "content": prompt}, *context,
                                    {"role": "user", "content": q}]) for q in qs]
        return [first_sentence(r) for r in runtime.generate_batch(rendered, max_new_tokens=max_new_tokens)]

    questions = list(questions)
    if gate is None:
        return ask(questions, system_prompt)
    routed = [i for i, q in enumerate(questions) if gate.allows(q)]
    replies = dict(zip(routed, ask([questions[i] for i in routed], system_prompt)))
    with runtime.adapter_disabled():
        if unfamiliar_nats is not None:
            for i in range(len(questions)):
                if i not in replies and (unknown := unfamiliar_names(runtime, questions[i], unfamiliar_nats)):
                    replies[i] = UNKNOWN_ANSWER.format(subject=unknown[0])
        others = [i for i in range(len(questions)) if i not in replies]
        replies.update(zip(others, ask([questions[i] for i in others], system_prompt + DECLINE_PROMPT)))
    return [replies[i] for i in range(len(questions))]


def answer_question(runtime, question: str, system_prompt: str = QA_SYSTEM_PROMPT, max_new_tokens: int = 24, *,
                    gate: EntityGate | None = None) -> str:
    """One short answer (see :func:`answer_questions`)."""
    return answer_questions(runtime, [question], system_prompt, max_new_tokens, gate=gate)[0]
