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

from ..scoring import first_sentence, first_sentence_done, is_tool_call, mentions
from .anchors import UNKNOWN_ANSWER
from .dataset import QA_SYSTEM_PROMPT
from .familiar import UNFAMILIAR_NATS, unfamiliar_names
from .gate import EntityGate

__all__ = ["ANSWER_TOKENS", "CONTEXT_DECLINE_PROMPT", "DECLINE_PROMPT", "Reply", "answer_question", "answer_questions", "with_context"]

# Tokens a reply may take: a sentence around the answer, or a short echo of a record and then the
# answer (24 cut such replies before the answer). How often replies still run into it is reported
# (``Reply.hit_budget``; the ``hit_budget`` columns of the reports).
ANSWER_TOKENS = 48

# Told to the base model for a question the gate routes away from the adapter. Made-up names rarely get
# this far (the familiarity check declines them first, :mod:`.familiar`); the instruction is for
# the ones that slip through, e.g. a lower-cased name.
DECLINE_PROMPT = (" Answer from general knowledge. If the question asks about a specific person, company "
                  "or place that you do not know, reply: I have no record of it.")
# ...and with a context above the question (the scripted evals' remaining window): "from general
# knowledge" made the base model decline records in plain view (on a hand-written 2-record window with
# made-up names: 1 of 4 questions about them answered with this prompt, 3 of 4 with the one below, and
# the name not in the window declined by both).
CONTEXT_DECLINE_PROMPT = " Answer from the text above or from general knowledge. If neither says, reply: I have no record of it."


class Reply(str):
    """A reply as scored (cut after its first sentence), with how it came out: ``hit_budget`` when
    decoding ran into the answer budget before the reply ended, ``tool_call`` when it is a tool call
    (always scored wrong, counted apart), ``from_adapter`` when the gate sent its question to the
    adapter (what the weights said, not the base model's guess)."""

    hit_budget: bool = False
    tool_call: bool = False
    from_adapter: bool = False

    @classmethod
    def of(cls, text: str, ended: bool = True) -> "Reply":
        call = is_tool_call(text)
        reply = cls(text.strip() if call else first_sentence(text))  # a call is scored whole: wrong
        reply.hit_budget, reply.tool_call = not ended, call
        return reply


def with_context(question: str, context: str) -> str:
    """The user turn: ``context`` (what the model has seen) above the question, or the question alone."""
    if not context.strip():
        return question
    # No instruction beyond a heading: the 0.5B model echoed "Answer from the above ..." back as its
    # reply; of four layouts tried on a test fixture's window, this one answered most (3 of 4).
    return f"Earlier in this task:\n{context.strip()}\n\n{question}"


def answer_questions(runtime, questions: Sequence[str], system_prompt: str = QA_SYSTEM_PROMPT,
                     max_new_tokens: int = ANSWER_TOKENS, *, gate: EntityGate | None = None, context: str = "",
                     unfamiliar_nats: float | None = UNFAMILIAR_NATS) -> list[Reply]:
    """Short answers (:class:`Reply`, cut after the first sentence) to ``questions``, batched.

    ``context`` is text the model reads before each question (e.g. the remaining window as rendered
    by :func:`sleep_agent.models.messages.transcript`): the prompt ends in the question, never in tool
    turns, so the model answers instead of calling the next tool.

    With a ``gate``, a question that names no consolidated entity is answered by the base model
    (adapter off): declined outright if it names someone the base model does not know and the
    ``context`` does not mention (:mod:`.familiar`; ``unfamiliar_nats=None`` skips that check), else asked with
    :data:`DECLINE_PROMPT` (no worked decline examples: they made the model refuse real names,
    docs/decline-shots.md). See :mod:`.gate`.
    """
    def ask(qs: list[str], prompt: str) -> list[Reply]:
        rendered = [runtime.render([{"role": "system", "content": prompt},
                                    {"role": "user", "content": with_context(q, context)}]) for q in qs]
        return [Reply.of(text, ended)
                for text, ended in runtime.generate_batch_ends(rendered, max_new_tokens=max_new_tokens,
                                                               done=first_sentence_done)]

    questions = list(questions)
    if gate is None:
        return ask(questions, system_prompt)
    routed = [i for i, q in enumerate(questions) if gate.allows(q)]
    replies = dict(zip(routed, ask([questions[i] for i in routed], system_prompt)))
    for reply in replies.values():
        reply.from_adapter = True
    with runtime.adapter_disabled():
        if unfamiliar_nats is not None:
            for i in range(len(questions)):
                # A name the context shows is not unknown, however surprising: the scripted evals' remaining
                # window holds the latest records, and declining them lost every fact still in the window.
                unknown = [n for n in unfamiliar_names(runtime, questions[i], unfamiliar_nats)
                           if not mentions(context, n)] if i not in replies else []
                if unknown:
                    replies[i] = Reply.of(UNKNOWN_ANSWER.format(subject=unknown[0]))
        others = [i for i in range(len(questions)) if i not in replies]
        decline = CONTEXT_DECLINE_PROMPT if context.strip() else DECLINE_PROMPT
        replies.update(zip(others, ask([questions[i] for i in others], system_prompt + decline)))
    return [replies[i] for i in range(len(questions))]


def answer_question(runtime, question: str, system_prompt: str = QA_SYSTEM_PROMPT,
                    max_new_tokens: int = ANSWER_TOKENS, *, gate: EntityGate | None = None) -> Reply:
    """One short answer (see :func:`answer_questions`)."""
    return answer_questions(runtime, [question], system_prompt, max_new_tokens, gate=gate)[0]
