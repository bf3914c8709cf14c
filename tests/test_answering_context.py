"""Gated answering with a context (the scripted evals' remaining window): a name the context shows is
never declined as unfamiliar, and the base model is told it may answer from the text above. Plumbing on
the tiny random model (its surprisal makes every name "unfamiliar" at a 0-nat threshold)."""

from __future__ import annotations

from sleep_agent.consolidation import EntityGate
from sleep_agent.consolidation.anchors import UNKNOWN_ANSWER
from sleep_agent.consolidation.answering import CONTEXT_DECLINE_PROMPT, DECLINE_PROMPT, answer_questions


def test_a_name_in_the_context_is_not_declined_unseen(tiny_runtime, monkeypatch):
    prompts = []
    real = tiny_runtime.render
    monkeypatch.setattr(tiny_runtime, "render", lambda msgs, *a, **k: prompts.append(msgs[0]["content"]) or real(msgs, *a, **k))
    context = 'Result: {"name": "Vodro Brakadro", "city": "Sabradrowick"}'
    questions = ["Where does Vodro Brakadro live?", "Where does Morbra Quelzi live?"]
    seen, unseen = answer_questions(tiny_runtime, questions, gate=EntityGate(["Samor Fenkarin"]), context=context,
                                    unfamiliar_nats=0.0, max_new_tokens=4)
    assert unseen == UNKNOWN_ANSWER.format(subject="Morbra Quelzi")  # not in the window: declined unasked
    assert seen != UNKNOWN_ANSWER.format(subject="Vodro Brakadro")  # in the window: the model was asked
    assert prompts and all(p.endswith(CONTEXT_DECLINE_PROMPT) for p in prompts)
    prompts.clear()
    answer_questions(tiny_runtime, ["Who founded Amazon?"], gate=EntityGate([]), unfamiliar_nats=None, max_new_tokens=4)
    assert prompts[0].endswith(DECLINE_PROMPT)  # no context: the measured prompt of docs/decline-shots.md
