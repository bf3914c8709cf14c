"""The three phrasing sets stay disjoint: what a sleep trains on, what validation asks before
publishing, and what benchmarks and evals ask (templated and natural, dev and test), compared as
templates and as the questions really built for a world and for the eval suites, names masked."""

from __future__ import annotations

import itertools

from sleep_agent import SleepConfig
from sleep_agent.consolidation import assemble, unknown_examples
from sleep_agent.consolidation.phrasings import (EVAL, NATURAL, TRAIN, VALIDATION, is_reserved, masked,
                                                 reserved_forms)
from sleep_agent_benchmarks.world import World
from sleep_agent_evals.families import suite


def _forms(templates) -> set[str]:
    return {masked(t) for t in templates}


SETS = {
    "train": _forms(t for ts in TRAIN.values() for t in ts),
    "validation": _forms(t for ts in VALIDATION.values() for t in ts),
    "eval": _forms(t for ts in EVAL.values() for t in ts),
    "natural dev": _forms(NATURAL["dev"].values()),
    "natural test": _forms(NATURAL["test"].values()),
}


def test_the_phrasing_sets_share_no_template():
    for (a, fa), (b, fb) in itertools.combinations(SETS.items(), 2):
        assert not fa & fb, f"{a} and {b} share {fa & fb}"


def _masked_questions(examples, names) -> set[str]:
    return {masked(e.question, names, e.relation) for e in examples} | {masked(e.question, names) for e in examples}


def test_no_question_a_sleep_trains_on_is_asked_by_validation_or_the_evals():
    world = World(seed=0)
    names = world.names
    data = assemble(world.trajectory(), [], SleepConfig(seed=0))
    trained = _masked_questions([e for e in data.train if e.question], names)
    validation = _masked_questions(data.heldout, names)
    asked = {masked(q.text, names) for q in world.facts_1hop() + world.facts_2hop()}
    assert trained and validation and asked
    assert not trained & validation
    assert not trained & asked and not validation & asked
    # The questions themselves, names included, never repeat across the sets either.
    assert not {e.question for e in data.train} & {q.text for q in world.facts_1hop() + world.facts_2hop()}


def _task_names_and_relations(task) -> tuple[list[str], set[str]]:
    """The entity names in a task's results (plus the never-seen ones it asks about) and every
    relation it could be asked, chains included."""
    from sleep_agent.consolidation import derive_chains, extract_facts
    from sleep_agent_evals.unknown_names import COMPANIES, PEOPLE

    facts = extract_facts(task.messages)
    chains = derive_chains(facts)
    relations = {f.relation for f in facts + chains}
    relations |= {"city of the mentor of the mentor of the mentor", "mentor", "employer", "headquarters", "industry"}
    return [f.subject for f in facts] + list(PEOPLE) + list(COMPANIES), relations


def test_eval_suites_ask_in_eval_words_only():
    for split in ("dev", "test"):
        for task in suite("small", seed=0, split=split):
            facts = [q for q in task.questions if q.check != "decline"]
            assert {q.style for q in facts} == {"template", "natural"}, task.id
            names, relations = _task_names_and_relations(task)
            not_for_evals = {" ".join(t.format(subject="{subject}", relation=r).split()).lower()
                             for ts in (*TRAIN.values(), *VALIDATION.values()) for t in ts for r in relations}
            for q in task.questions:
                form = masked(q.question, names)
                assert "{subject}" in form, q.question  # the mask found the name asked about
                assert form not in not_for_evals, (task.id, q.question)
    dev = {q.question for t in suite("small", seed=0, split="dev") for q in t.questions if q.style == "natural"}
    test = {q.question for t in suite("small", seed=0, split="test") for q in t.questions if q.style == "natural"}
    assert dev and test and not dev & test


def test_validation_asks_never_seen_names_in_its_own_words():
    train = unknown_examples(["Ana"], ["city"], count=40, seed=0)
    held = unknown_examples(["Ana"], ["city"], count=40, seed=10_000, templates=VALIDATION["attribute"])
    name = lambda e: e.answer.removeprefix("I have no record of ").rstrip(".")  # noqa: E731
    assert {masked(e.question, [name(e)], "city") for e in train} <= SETS["train"]
    assert {masked(e.question, [name(e)], "city") for e in held} <= SETS["validation"]


def test_generated_questions_matching_a_reserved_form_are_caught():
    assert is_reserved("Where does Bo Lind live?", ["Bo Lind"])
    assert is_reserved("Which office is listed for Bo Lind?", ["Bo Lind"], "office")
    assert is_reserved("WHAT  city did you find for bo lind?", ["Bo Lind"], "city")
    assert not is_reserved("What is the city of Bo Lind?", ["Bo Lind"], "city")  # a training phrasing
    assert not SETS["train"] & reserved_forms()


def test_chains_are_also_trained_with_the_inner_relation_as_a_possessive():
    from sleep_agent.consolidation import Fact, build_examples
    from sleep_agent.consolidation.phrasings import chain_possessive

    assert chain_possessive("industry of the employer", "Bo Lind") == [
        "What is the industry of Bo Lind's employer?", "Bo Lind's employer: what is its industry?"]
    assert chain_possessive("city of the mentor of the mentor", "Bo")[0] == "What is the city of the mentor of Bo's mentor?"
    assert chain_possessive("city", "Bo") == []
    train, _ = build_examples([Fact("chain", "Bo Lind", "industry of the employer", "brewing", source="derived")])
    assert "What is the industry of Bo Lind's employer?" in {e.question for e in train}
    for q in chain_possessive("industry of the employer", "Bo Lind"):
        assert not is_reserved(q, ["Bo Lind"], "industry of the employer")
