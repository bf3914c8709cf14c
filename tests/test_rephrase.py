"""Rephrasing (sleep_agent.consolidation.rephrase): the model's own questions per relation, checked
back, never a validation or eval phrasing, trained for every fact of the relation."""

from __future__ import annotations

import pytest

from sleep_agent.consolidation import Fact, build_examples
from sleep_agent.consolidation.phrasings import NATURAL, is_reserved
from sleep_agent.consolidation.rephrase import _candidates, _template, apply, rephrase

ANA = Fact("attribute", "Ana Reyes", "city", "Olvesby")


def test_candidates_keep_only_questions_naming_the_subject_without_the_answer_or_eval_words():
    reply = ("Where is Ana Reyes living these days?\n"
             "1. In which town has Ana Reyes made her home?\n"     # numbered: the number is stripped
             "Is Olvesby where Ana Reyes lives?\n"                 # gives the answer away
             "Where does she live?\n"                              # no subject
             "Where does Ana Reyes live?\n"                        # the natural test question
             "Which city does Ana Reyes live in?\n"                # the natural dev question
             "What city did you find for Ana Reyes?\n"             # the eval template
             "Tell me about the weather")                          # not a question
    assert _candidates(reply, ANA) == ["Where is Ana Reyes living these days?",
                                       "In which town has Ana Reyes made her home?"]


def test_a_template_masks_the_subject_as_whole_words_only():
    assert _template("Where is ana reyes living?", "Ana Reyes") == "Where is {subject} living?"
    assert _template("Is Anamaria Ana's sister {x}?", "Ana") == "Is Anamaria {subject}'s sister {{x}}?"
    assert _template("Is Anamaria Ana's sister {x}?", "Ana").format(subject="Bo") == "Is Anamaria Bo's sister {x}?"


def test_apply_trains_each_relation_form_for_every_fact_of_that_relation():
    bo = Fact("attribute", "Bo Lind", "city", "Tarnwick")
    job = Fact("attribute", "Bo Lind", "employer", "Velk")
    chain = Fact("chain", "Bo Lind", "city", "Tarnwick", source="derived")  # not a rephrased kind
    out = apply([ANA, bo, job, chain], {"city": ("Where is {subject} living these days?",)})
    assert out[0].questions == ("Where is Ana Reyes living these days?",)
    assert out[1].questions == ("Where is Bo Lind living these days?",)
    assert out[2] == job and out[3] == chain  # a chain's relation is not "A of the B": nothing to compose
    train, heldout = build_examples(out[:2])
    asked = {e.question for e in train}
    assert {"Where is Ana Reyes living these days?", "Where is Bo Lind living these days?"} <= asked
    assert not asked & {e.question for e in heldout}


def test_a_chain_is_asked_with_its_outer_relation_forms_of_the_possessive_inner_one():
    chain = Fact("chain", "Bo Lind", "industry of the employer", "brewing", source="derived")
    forms = {"industry": ("What is {subject}'s industry?", "What line of business is {subject} in?")}  # the latter: dev
    (out,) = apply([chain], forms)
    assert out.questions == ("What is Bo Lind's employer's industry?",)  # the dev question's form is dropped


class _Scripted:
    """A runtime whose model writes the given replies in order: the filter and the check are the
    code under test here, the generation is the real model's job (the slow test below)."""

    def __init__(self, *batches):
        self.batches = list(batches)

    def render(self, messages):
        return messages[-1]["content"]

    def generate_batch(self, prompts, **_):
        batch = self.batches.pop(0)
        assert len(batch) == len(prompts)
        return batch

    def adapter_disabled(self):
        import contextlib

        return contextlib.nullcontext()


def test_a_question_the_check_assigns_to_another_field_is_dropped():
    writes = ["Where is Ana Reyes living these days?\nWhat is Ana Reyes's job?\nWhere has Ana Reyes settled?"]
    checks = ["city", "job", "City."]
    forms, stats = rephrase(_Scripted(writes, checks), [ANA, Fact("attribute", "Ana Reyes", "city", "Olvesby")])
    assert forms == {"city": ("Where is {subject} living these days?", "Where has {subject} settled?")}
    assert stats["relations"] == 1 and stats["generated"] == 3 and stats["kept"] == 2


def test_nothing_to_rephrase_generates_nothing():
    forms, stats = rephrase(_Scripted(), [Fact("chain", "Bo", "city of the mentor", "X")])
    assert forms == {} and stats["relations"] == 0


def test_relations_an_earlier_sleep_rephrased_are_not_written_again():
    known = {"city": ["Where is {subject} living these days?"], "job": ["What does {subject} do?"]}
    bo = Fact("attribute", "Bo Lind", "employer", "Quell Mills")
    # only the employer is asked: one write and one check for Bo Lind
    forms, stats = rephrase(_Scripted(["Who pays Bo Lind?"], ["employer"]), [ANA, bo], known=known)
    assert forms == {"city": ("Where is {subject} living these days?",), "employer": ("Who pays {subject}?",)}
    assert stats["reused"] == 1 and stats["relations"] == 1
    # a sleep over relations the thread knows generates nothing at all
    forms, stats = rephrase(_Scripted(), [ANA], known=known)
    assert forms == {"city": ("Where is {subject} living these days?",)} and stats["generated"] == 0
    # the engine reads them from the live version's manifest
    from types import SimpleNamespace

    from sleep_agent.consolidation.engine import rephrased_forms
    assert rephrased_forms(SimpleNamespace(manifest={"self_study": {"rephrase": {"forms": known}}})) == known
    assert rephrased_forms(SimpleNamespace(manifest={"self_study": None})) == {} == rephrased_forms(None)


@pytest.mark.slow
def test_the_default_model_writes_checked_everyday_questions(qwen_runtime):
    facts = [Fact("attribute", "Samor Fenkarin", "city", "Ostrava Fell"),
             Fact("attribute", "Samor Fenkarin", "employer", "Velk Industries"),
             Fact("attribute", "Velk Industries", "industry", "brewing")]
    forms, stats = rephrase(qwen_runtime, facts)
    assert stats["kept"] == sum(map(len, forms.values())) >= 3, (forms, stats)
    assert stats["seconds"] > 0
    natural = {t for split in NATURAL.values() for t in split.values()}
    for relation, templates in forms.items():
        for t in templates:
            question = t.format(subject="Kel Amari")
            assert question.endswith("?") and "Kel Amari" in question
            assert t not in natural and not is_reserved(question, ["Kel Amari"], relation)
    # the point of it: at least one form for a person's city asks without the field's name
    assert any("city" not in t.lower() for t in forms.get("city", ())), forms


def test_no_record_anchors_are_also_asked_in_the_rephrased_forms():
    from sleep_agent.consolidation import unknown_examples

    forms = {"city": ("Where is {subject} living these days?",)}
    anchors = unknown_examples(["Ana Reyes"], ["city"], count=60, seed=0, forms=forms)
    rephrased = [e for e in anchors if e.question.startswith("Where is ") and e.question.endswith(" living these days?")]
    assert rephrased and len(rephrased) < len(anchors)  # beside the generic templates, not instead
    assert all(e.answer.startswith("I have no record of ") and "Ana Reyes" not in e.question for e in anchors)
    assert unknown_examples(["Ana Reyes"], ["city"], count=60, seed=0) == unknown_examples(
        ["Ana Reyes"], ["city"], count=60, seed=0, forms={})  # no forms: the anchors as before
