"""Sleep examples asked after turns of the window (sleep_agent/consolidation/in_context.py): the
question comes after the window's text exactly as the agent's recall and the evals ask it, the answer
is the fact's own, their number grows with the new data under a cap, and none is stored for replay.
No model is loaded."""

from __future__ import annotations

from sleep_agent import SleepConfig
from sleep_agent.consolidation import assemble, build_examples, extract_facts
from sleep_agent.consolidation.answering import with_context
from sleep_agent.consolidation.in_context import MAX_EXAMPLES, TURNS, in_context_examples
from sleep_agent_benchmarks.world import World


def test_questions_come_after_the_windows_text_with_their_own_answers():
    window = World(seed=3).trajectory()
    train, _ = build_examples(extract_facts(window))
    got = in_context_examples(train, window, seed=0)
    probes = {(e.question, e.answer) for e in train if e.part == "probe"}
    assert 0 < len(got) <= MAX_EXAMPLES and {e.part for e in got} == {"context"}
    for e in got:
        context, _, question = e.question.rpartition("\n\n")
        assert (question, e.answer) in probes  # a trained question, its own answer
        assert e.question == with_context(question, context.removeprefix("Earlier in this task:\n"))
        assert context.count("Result of ") == TURNS and f"User: {window[0].content}" in context
    assert len({e.question for e in got}) == len(got)
    assert in_context_examples(train, window, seed=0) == got  # reproducible
    assert in_context_examples(train, window[:3], seed=0) == []  # one turn: no window to ask after


def test_they_grow_with_the_new_data_and_are_never_stored_for_replay():
    window = World(seed=3).trajectory()
    data = assemble(window, [], SleepConfig(passes=1, seed=0))
    probes = data.parts["probe"]
    assert data.parts["context"] == min(MAX_EXAMPLES, -(-probes // 8))
    assert not any(e.part == "context" for e in data.history)
    off = assemble(window, [], SleepConfig(passes=1, seed=0, in_context=False))
    assert off.parts["context"] == 0 and len(off.train) == len(data.train) - data.parts["context"]
