"""The general-knowledge control asks what the base model knows, so a sleep is judged on what it lost.

No model: the base's verdicts are written out, and the one scored check uses scripted replies (what is
asked and how it is scored is real).
"""

from __future__ import annotations

import threading

from sleep_agent.consolidation import Reply, validation
from sleep_agent.consolidation.anchors import GENERAL_CONTROL
from sleep_agent.consolidation.validation import MAX_GENERAL, Scores, base_reference, general_control, judge

QUESTIONS = [q for q, _ in GENERAL_CONTROL]


def _base(right: list[str]) -> dict:
    """The base model's scores after it was asked every candidate and got ``right`` right."""
    return Scores(general=round(len(right) / len(QUESTIONS), 3), counts={"general": len(QUESTIONS)},
                  general_right=right).to_dict()


def test_the_control_is_the_candidates_the_base_answered_right_capped():
    right = QUESTIONS[1::2]  # every other candidate
    assert general_control(_base(right)) == [qa for qa in GENERAL_CONTROL if qa[0] in right][:MAX_GENERAL]
    assert general_control(_base(QUESTIONS)) == list(GENERAL_CONTROL)[:MAX_GENERAL]
    assert general_control(_base([])) == []
    # no base, or a base recorded before per-question verdicts: the first MAX_GENERAL, as before
    assert general_control(None) == general_control({"general": 0.5, "counts": {"general": 6}}) \
        == list(GENERAL_CONTROL)[:MAX_GENERAL]


def test_a_sleep_that_keeps_what_the_base_knew_is_published_after_a_version_that_guessed_more():
    """docs/demo.md seed 20 (on the fixed first six): base 2/6, v1 4/6, v2 2/6 refused "general fell
    from 0.67 to 0.33" - v2 had lost nothing the base knew. On the base's control each version is
    scored on the two questions the base knew."""
    base = _base(QUESTIONS[:2])
    control = general_control(base)
    assert len(control) == 2
    v1 = Scores(heldout=1.0, general=1.0, counts={"general": 2, "heldout": 8}).to_dict()
    v2 = Scores(heldout=1.0, general=1.0, counts={"general": 2, "heldout": 8})
    assert judge(v2, v1, base=base) == []
    # losing both of them is a loss, from the base and from the previous version
    lost = Scores(heldout=1.0, general=0.0, counts={"general": 2, "heldout": 8})
    assert judge(lost, v1, base=base) == ["general accuracy fell from 1.00 to 0.00",
                                          "general accuracy fell from 1.00 to 0.00 (the base model's)"]


def test_the_base_reference_is_right_on_its_own_control():
    assert base_reference(_base(QUESTIONS[:3]))["general"] == 1.0
    assert base_reference(_base([]))["general"] is None  # no control: nothing to compare
    old = {"general": 0.5, "counts": {"general": 6}}
    assert base_reference(old) == old


def test_score_records_which_general_questions_were_right(monkeypatch):
    class Runtime:
        lock = threading.RLock()

    control = list(GENERAL_CONTROL)[:3]
    monkeypatch.setattr(validation, "answer_questions", lambda runtime, questions, system: [
        Reply.of("Tokyo." if "Japan" in q else "I do not know.") for q in questions])
    scores = validation.score(Runtime(), "system", general=control)
    assert scores.counts["general"] == 3 and scores.general == 0.333
    assert scores.general_right == ["What is the capital of Japan?"]
