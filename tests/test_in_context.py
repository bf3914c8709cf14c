"""Sleep examples asked after turns of the window (sleep_agent/consolidation/in_context.py): the
question comes after the window's text exactly as the agent's recall and the evals ask it, the answer
is the fact's own, their number grows with the new data under a cap, and none is stored for replay.
No model is loaded."""

from __future__ import annotations

from sleep_agent import SleepConfig
from sleep_agent.consolidation import assemble, build_examples, derive, extract_facts
from sleep_agent.consolidation.answering import with_context
from sleep_agent.consolidation.in_context import MAX_EXAMPLES, TURNS, in_context_examples
from sleep_agent_benchmarks.world import World


def test_questions_come_after_the_windows_text_with_their_own_answers():
    window = World(seed=3).trajectory()
    facts = extract_facts(window)
    train, _ = build_examples(facts + derive(facts))  # with the 2-hop chains, as a sleep learns them
    got = in_context_examples(train, window, seed=0)
    asked = {(e.question, e.answer): e.part for e in train if e.part in ("probe", "chain")}
    assert 0 < len(got) <= MAX_EXAMPLES and {e.part for e in got} == {"context"}
    kinds = set()
    for e in got:
        context, _, question = e.question.rpartition("\n\n")
        assert (question, e.answer) in asked  # a trained question, its own answer
        kinds.add(asked[question, e.answer])
        assert e.question == with_context(question, context.removeprefix("Earlier in this task:\n"))
        assert context.count("Result of ") == TURNS and f"User: {window[0].content}" in context
    assert len({e.question for e in got}) == len(got)
    # chains too: drawn from 1-hop questions alone, a 2-hop question after the window got the
    # person's own city (in_context.py)
    assert kinds == {"probe", "chain"}
    assert in_context_examples(train, window, seed=0) == got  # reproducible
    assert in_context_examples(train, window[:3], seed=0) == []  # one turn: no window to ask after


def test_they_grow_with_the_new_data_and_are_never_stored_for_replay():
    window = World(seed=3).trajectory()
    data = assemble(window, [], SleepConfig(passes=1, seed=0))
    asked = data.parts["probe"] + data.parts["chain"]
    assert data.parts["context"] == min(MAX_EXAMPLES, -(-asked // 8))
    assert not any(e.part == "context" for e in data.history)
    off = assemble(window, [], SleepConfig(passes=1, seed=0, in_context=False))
    assert off.parts["context"] == 0 and len(off.train) == len(data.train) - data.parts["context"]
