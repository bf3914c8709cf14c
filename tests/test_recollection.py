"""The sleep memory's recollection block (issue 21): before a model call, what the adapter says about
the consolidated names in the task and the latest turns goes into the prompt, within its share of the
budget, and only names a sleep consolidated are asked about. Tiny random model (plumbing only): its
replies are noise, so the tests check which questions are asked, the budget and the caching, not
whether the answers are right (docs and the demo measure that on the default model)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from sleep_agent import AgentSettings, LocalChatModel, SleepConfig
from sleep_agent.adapters import Thread
from sleep_agent.consolidation import consolidate
from sleep_agent.memory.base import MemoryContext
from sleep_agent.memory.recollection import Key, block, consolidated_keys, named_keys, recollect
from sleep_agent.memory.sleep import SleepMemory
from sleep_agent_benchmarks.world import World


@pytest.fixture(scope="module")
def slept(tiny_runtime, tmp_path_factory) -> tuple[Thread, World]:
    """A thread after one sleep (one published version) over a small world."""
    world = World(seed=5, people=2, companies=1)
    thread = Thread("rec", root=tmp_path_factory.mktemp("rec"))
    consolidate(tiny_runtime, thread.store, world.trajectory(), config=SleepConfig(passes=1, validate=False,
                                                                                  self_study=0))
    return thread, world


def test_only_consolidated_names_are_asked_about_and_the_block_fits_its_share(tiny_runtime, slept):
    thread, world = slept
    live = thread.latest()
    person = world.names[1]
    assert Key(person, "city", "attribute") in consolidated_keys(live.path)
    keys = named_keys(live.path, [f"Then answer: where does {person.upper()} live?"])
    assert keys and {k.subject for k in keys} == {person}  # whole-word, case-insensitive; nobody else
    assert named_keys(live.path, ["Where does Ana Reyes live?"]) == []  # a name no sleep consolidated

    llm = LocalChatModel.from_runtime(tiny_runtime)
    tiny_runtime.activate_adapter(live.path)
    for budget in (0, 40, 200):
        rec = recollect(tiny_runtime, live.version, keys, budget, llm.get_num_tokens)
        assert rec["entities"] == [person] and llm.get_num_tokens(block(rec)) <= budget
        if budget == 0:
            assert rec["lines"] == [] and block(rec) == ""
    tiny_runtime.deactivate_adapter()


def test_the_sleep_memory_recollects_once_per_version_and_names(tiny_runtime, slept):
    thread, world = slept
    llm = LocalChatModel.from_runtime(tiny_runtime)
    ctx = MemoryContext(AgentSettings(context_budget=600), thread, llm, "You are an agent.")
    memory = SleepMemory()
    state = {"messages": [HumanMessage(f"Answer: where does {world.names[1]} live?"), AIMessage("ok")]}
    thread.activate(tiny_runtime)
    first = memory.prepare(state, ctx)["recollection"]
    assert first["version"] == 1 and first["entities"] == [world.names[1]]
    assert memory.prepare({**state, "recollection": first}, ctx) == {}  # cached: same version, same keys
    # the same person asked about one relation: other keys, so asked again (only that one)
    job = {"messages": [HumanMessage(f"Answer: who is the employer of {world.names[1]}?"), AIMessage("ok")],
           "recollection": first}
    assert memory.prepare(job, ctx)["recollection"]["keys"] == [[world.names[1], "employer"]]
    assert block(first) in (memory.context({**state, "recollection": first}, ctx) or "")
    nobody = {"messages": [HumanMessage("List the files."), AIMessage("ok")], "recollection": first}
    assert memory.prepare(nobody, ctx)["recollection"]["lines"] == []  # no consolidated name: empty block
    off = MemoryContext(AgentSettings(context_budget=600, recollection_share=0), thread, llm, "")
    assert memory.prepare(state, off) == {} and memory.prepare({**state, "recollection": first}, off) == {
        "recollection": None}
    tiny_runtime.deactivate_adapter()


def test_each_name_is_asked_in_two_trained_forms_and_a_decline_falls_through(tiny_runtime, slept, monkeypatch):
    """On the default model a woken adapter declined a consolidated name in the "no record" anchors'
    phrasing and answered it in the other trained form (demo seed 11): the block asks both, preferring
    the form the anchors never use, and keeps the first reply that says something."""
    from sleep_agent.consolidation import Reply
    from sleep_agent.memory import recollection
    from sleep_agent.consolidation.anchors import UNKNOWN_TRAIN

    thread, world = slept
    live = thread.latest()
    keys = named_keys(live.path, [f"Where does {world.names[1]} live?"])
    asked = []

    def scripted(runtime, questions, system):  # the decoding is scripted; what is asked and kept is real
        asked.extend(questions)
        return [Reply.of(f"I have no record of {world.names[1]}.") if i == 0 else Reply.of(f"Answer {i}.")
                for i in range(len(questions))]

    monkeypatch.setattr(recollection, "answer_questions", scripted)
    rec = recollect(tiny_runtime, live.version, keys, 500, LocalChatModel.from_runtime(tiny_runtime).get_num_tokens)
    assert asked == [form.format(subject=k.subject, relation=k.relation) for k in keys
                     for form in recollection.FORMS["attribute"]]
    assert recollection.FORMS["attribute"][0] not in UNKNOWN_TRAIN
    assert rec["lines"][0] == "Answer 1."  # the first form declined: the second form's reply is kept
    assert rec["lines"][1:] == [f"Answer {2 * i}." for i in range(1, len(keys))]


def test_a_line_two_keys_bring_back_is_in_the_block_once(tiny_runtime, slept, monkeypatch):
    """A transcript line has several keys (its topics); a question naming two of them gets the line
    back twice from the adapter, and the block's share of the budget would pay for it twice."""
    from sleep_agent.consolidation import Reply
    from sleep_agent.memory import recollection

    thread, world = slept
    keys = named_keys(thread.latest().path, [f"Where does {world.names[1]} live?"])
    assert len(keys) >= 2
    monkeypatch.setattr(recollection, "answer_questions",
                        lambda runtime, questions, system: [Reply.of("The same line.")] * len(questions))
    rec = recollect(tiny_runtime, 1, keys, 500, LocalChatModel.from_runtime(tiny_runtime).get_num_tokens)
    assert rec["lines"] == ["The same line."]


def test_a_transcript_line_is_recollected_in_the_words_it_was_trained_in(tiny_runtime, tmp_path, monkeypatch):
    """A ``said`` fact (a line of a transcript) is trained only as "What did Teo say about Lisbon?";
    asked "What is the Lisbon of Teo?" (the attribute forms) the adapter has nothing to match."""
    from langchain_core.messages import ToolMessage

    from sleep_agent.consolidation import Reply
    from sleep_agent.consolidation.phrasings import TRAIN
    from sleep_agent.memory import recollection

    page = ("Session 2 (2:32 pm on 29 January, 2023), part 1 of 1:\n"
            "Mara: I started a pottery course at Kelso Studio and my first bowl cracked in the kiln.\n"
            "Teo: Next month I am travelling to Lisbon for a baking fair with my cousin.\n"
            "Mara: Lisbon sounds wonderful, I went there with my sister when we were students.")
    thread = Thread("said", root=tmp_path)
    consolidate(tiny_runtime, thread.store, [HumanMessage("Read the chat."),
                                             AIMessage("", tool_calls=[{"id": "c1", "name": "read", "args": {}}]),
                                             ToolMessage(page, tool_call_id="c1")],
                config=SleepConfig(passes=1, validate=False, self_study=0))
    keys = named_keys(thread.latest().path, ["When did Teo say he travelled to Lisbon for the baking fair?"])
    assert {k.kind for k in keys} == {"said"} and {k.subject for k in keys} == {"Teo"}
    # a speaker's lines are kept by the topics the question names, in any form of the word, and by
    # the speaker's name alone by none (which of them would be a guess)
    assert {k.relation.lower() for k in keys} == {"lisbon", "travelling", "baking"}
    assert [k.relation for k in named_keys(thread.latest().path, ["Why is Teo going to LISBON?"])] == ["Lisbon"]
    assert named_keys(thread.latest().path, ["What did Teo say about the trip?"]) == []
    asked = []
    monkeypatch.setattr(recollection, "answer_questions",
                        lambda runtime, questions, system: asked.extend(questions) or [Reply.of("x")] * len(questions))
    recollect(tiny_runtime, 1, keys, 500, LocalChatModel.from_runtime(tiny_runtime).get_num_tokens)
    assert asked == [form.format(subject="Teo", relation=k.relation) for k in keys
                     for form in (TRAIN["said"][0], TRAIN["said"][2])]
    assert not any(q.startswith("What is the") for q in asked)
