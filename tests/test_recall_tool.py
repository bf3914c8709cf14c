"""The recall tool and the entity gate (plumbing on the tiny random Qwen2; recall quality is in the
retention benchmark and in test_sleep_recall)."""

from __future__ import annotations

from sleep_agent import AdapterStore, LocalChatModel, build_agent
from sleep_agent_benchmarks.world import World
from sleep_agent import SleepConfig
from sleep_agent.consolidation import EntityGate, consolidate
from sleep_agent.memory import wake_note


def test_entity_gate_matches_whole_names_case_insensitively(tmp_path):
    gate = EntityGate(["Samor Fenkarin", "Vo Ka"])
    assert gate.allows("which city is listed for SAMOR FENKARIN?")
    assert not gate.allows("What is the capital of Japan?")
    assert gate.matches("Vo Ka and Samor Fenkarin") == ["samor fenkarin", "vo ka"]  # longest first
    assert len(EntityGate.from_adapter(tmp_path)) == 0  # a folder without sleep data: empty gate


def test_recall_tool_is_added_for_sleep_memory_and_uses_the_thread_adapter(tiny_runtime, tmp_path):
    llm = LocalChatModel.from_runtime(tiny_runtime)
    graph = build_agent(llm, [], data_dir=tmp_path)
    tools = graph.nodes["tools"].runnable.tools_by_name
    assert "recall" in tools
    assert "recall" not in build_agent(llm, [], memory="window", data_dir=tmp_path).nodes["tools"].runnable.tools_by_name

    config = {"configurable": {"thread_id": "recaller"}}
    assert "Nothing is stored" in tools["recall"].invoke({"question": "Where?"}, config)

    world = World(seed=1, people=2, companies=1)
    consolidate(tiny_runtime, AdapterStore("recaller", tmp_path), world.trajectory(),
                config=SleepConfig(passes=1, validate=False))
    tiny_runtime.deactivate_adapter()
    reply = tools["recall"].invoke({"question": f"What is the city of {world.names[-1]}?"}, config)
    assert isinstance(reply, str)
    assert tiny_runtime.adapter_path.endswith("v0001")  # answered with the thread's adapter on
    gate = EntityGate.from_adapter(AdapterStore("recaller", tmp_path).version_path(1))
    assert set(n.lower() for n in world.names) <= set(gate.subjects)


def test_wake_note_tells_about_recall_and_rejected_sleeps():
    note = wake_note(2, 1, ["lookup(name='A')"], ["general accuracy fell from 1.00 to 0.50"], recall=True)
    assert "slept 2 time(s)" in note and "adapter v1" in note
    assert "could not store" in note and "call recall" in note
    assert "no adapter yet" in wake_note(1, None, [])


def test_wake_note_stays_short_however_many_calls_were_consolidated():
    calls = [f"lookup(name='Person {i}')" for i in range(200)]
    note = wake_note(9, 9, calls)
    assert "(200)" in note and "the last 4:" in note
    assert "Person 199" in note and "Person 195" not in note and len(note) < 500


def test_gate_declines_unfamiliar_names_and_asks_the_base_model_the_rest(tiny_runtime, monkeypatch, tmp_path):
    """Plumbing on the tiny random model, to which every multi-token name is unfamiliar."""
    from sleep_agent.consolidation import answer_questions
    from sleep_agent.consolidation import DECLINE_PROMPT

    seen = []  # (rendered prompt, adapter layers on?) for every question asked
    render = tiny_runtime.render
    monkeypatch.setattr(tiny_runtime, "render", lambda msgs, *a, **k: (
        seen.append((msgs, tiny_runtime.adapter_enabled)), render(msgs, *a, **k))[1])
    world = World(seed=1, people=2, companies=1)
    consolidate(tiny_runtime, AdapterStore("gated", tmp_path),
                world.trajectory(), config=SleepConfig(passes=1, validate=False))
    seen.clear()
    known, unknown = f"What is the city of {world.names[0]}?", "What is the city of Zorvan Quellbrook?"
    replies = answer_questions(tiny_runtime, [unknown, known], "sys", max_new_tokens=2,
                               gate=EntityGate(world.names))
    assert replies[0] == "I have no record of Zorvan Quellbrook."  # declined without generating
    by_question = {msgs[-1]["content"]: (msgs, adapter_on) for msgs, adapter_on in seen}
    assert unknown not in by_question
    msgs, adapter_on = by_question[known]
    assert adapter_on and len(msgs) == 2  # the adapter answers alone, as trained: no instruction

    seen.clear()  # without the familiarity check, the base model is asked, told how to decline
    answer_questions(tiny_runtime, [unknown], "sys", max_new_tokens=2, gate=EntityGate(world.names),
                     unfamiliar_nats=None)
    (msgs, adapter_on), = seen
    assert not adapter_on and msgs[0]["content"] == "sys" + DECLINE_PROMPT and len(msgs) == 2
    tiny_runtime.deactivate_adapter()


def test_familiarity_tells_real_names_from_made_up_ones_on_the_default_model(qwen_runtime):
    """Names unlike the dev set's (benchmarks/decline_shots.py) on either side of the threshold."""
    from sleep_agent.consolidation.familiar import unfamiliar_names

    qwen_runtime.deactivate_adapter()
    real = ["Who founded Tesla?", "Where is the headquarters of Samsung?", "What did Isaac Newton discover?",
            "Which industry is Nestle in?", "Where was William Shakespeare born?"]
    made_up = ["Who founded Quovel Tarnigan?", "Where is the headquarters of Brimsk Outerhal?",
               "Which industry is Delvorin Haskett in?"]
    assert [unfamiliar_names(qwen_runtime, q) for q in real] == [[]] * len(real)
    assert [unfamiliar_names(qwen_runtime, q) for q in made_up] == [
        ["Quovel Tarnigan"], ["Brimsk Outerhal"], ["Delvorin Haskett"]]


def test_gate_declines_made_up_names_on_the_default_model(qwen_runtime):
    """The gated path on the real 0.5B model (adapter-free: an unknown name never reaches the adapter).
    Names and phrasings differ from the dev set's; the benchmark measures the rate on more."""
    from sleep_agent.consolidation import answer_questions
    from sleep_agent.scoring import is_decline

    qwen_runtime.deactivate_adapter()
    unknown = ["Which city is listed for Quotel Brasamor?", "Do you know the industry of the employer of Lugar Nelfen?",
               "Which employer is listed for Pimdro Katelzi?", "Tell me the headquarters of Zisa Thuvorin."]
    general = [("What is the capital of Japan?", "tokyo"), ("How many hours are in a day?", "24")]
    replies = answer_questions(qwen_runtime, unknown + [q for q, _ in general], "You are a helpful assistant.",
                               gate=EntityGate(["Samor Fenkarin"]))
    assert all(map(is_decline, replies[:len(unknown)])), replies
    assert all(a in r.lower() for r, (_, a) in zip(replies[len(unknown):], general)), replies
