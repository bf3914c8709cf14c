"""Sleep data from any trajectory: plain text, nested JSON, log lines, user messages - and never the
graph's own nudges or failed calls (sleep_agent.consolidation: sources, records, statements, derive,
self_study)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent import SleepConfig
from sleep_agent.consolidation import assemble, extract_facts, learn_facts
from sleep_agent.consolidation.extract import free_texts, is_tool_direction
from sleep_agent.consolidation.self_study import chunks, parse_pairs, self_study, supported
from sleep_agent.consolidation.sources import sources
from sleep_agent.names import GRAPH_NOTE_KEY
from sleep_agent.graph.prompts import LOOP_NOTE, invalid_call_feedback
from sleep_agent_tools import RecordArchive


def _call(name: str, args: dict, cid: str) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": cid}])


def _triples(facts, kind="attribute"):
    return {(f.subject, f.relation, f.answer) for f in facts if f.kind == kind}


def test_demo_records_as_plain_text_give_every_city_and_job():
    archive = RecordArchive(seed=4, size=10)
    messages = [HumanMessage("Read every record, then say who lives in Tarnwick.")]
    for i in range(10):
        text, _ = archive.next_record()
        # what a tool without an artifact returns: the sentence only
        messages += [_call("next_record", {}, f"c{i}"), ToolMessage(text, tool_call_id=f"c{i}", name="next_record")]
    data = assemble(messages, [], SleepConfig(passes=1, seed=0))
    learned = _triples(data.learned)
    for p in archive.people:
        assert (p.name, "city", p.city) in learned
        assert (p.name, "job", p.job) in learned
    assert set(data.subjects) >= {p.name for p in archive.people}
    # and every fact says where it came from
    assert all(f.source == "next_record()" for f in data.learned if f.kind == "attribute")


def test_nested_pages_give_one_entity_per_record():
    page = {"page": 2, "records": [{"crate": "K-101", "good": "tea", "units": 36},
                                   {"crate": "K-102", "good": "salt", "units": 12},
                                   {"crate": "K-103", "good": "tea", "units": 11}]}
    messages = [HumanMessage("task"), _call("read_page", {"page": 2}, "c1"),
                ToolMessage(json.dumps(page), tool_call_id="c1", name="read_page")]
    facts = extract_facts(messages)
    assert _triples(facts) == {("K-101", "good", "tea"), ("K-101", "units", "36"), ("K-102", "good", "salt"),
                               ("K-102", "units", "12"), ("K-103", "good", "tea"), ("K-103", "units", "11")}
    assert not [f for f in facts if f.kind == "call"]  # the page is covered by its records
    learned, _ = learn_facts(messages, SleepConfig())
    assert ("tea", "units", "47") in _triples(learned, "total")  # two crates of tea: 36 + 11


def test_nested_objects_numeric_ids_and_unnamed_parts():
    value = {"warehouse": {"name": "North Yard", "address": {"city": "Halvik", "street": "Dock Road 4"},
                           "crates": [{"id": 7, "units": 5}, {"id": 8, "units": 9}]}}
    facts = extract_facts([HumanMessage("task"), _call("inspect", {"site": "north"}, "c1"),
                           ToolMessage(json.dumps(value), tool_call_id="c1", name="inspect")])
    assert {("North Yard", "city", "Halvik"), ("North Yard", "street", "Dock Road 4"),
            ("crate 7", "units", "5"), ("crate 8", "units", "9")} <= _triples(facts)


def test_log_lines_keep_the_latest_value_and_mark_the_old_one_stale():
    entries = [{"entry": 1, "event": "The code of door B7 was set to 1234 by the night guard"},
               {"entry": 2, "event": "Mara Quill moved to Selbury after the audit of the east wing"},
               {"entry": 3, "event": "The code of door B7 was changed to 4411 after a failed entry attempt"}]
    messages = [HumanMessage("task")]
    for i, e in enumerate(entries):
        messages += [_call("read_log", {"entry": e["entry"]}, f"c{i}"),
                     ToolMessage(json.dumps(e), tool_call_id=f"c{i}", name="read_log")]
    facts = extract_facts(messages)
    codes = [f for f in facts if f.subject == "door B7" and f.relation == "code"]
    assert [(f.answer, f.stale) for f in codes] == [("4411", ("1234",))]
    assert ("Mara Quill", "city", "Selbury") in _triples(facts)
    # the sentence is not an entity and "entry" is not its attribute
    assert not [f for f in facts if f.subject.startswith("The code") or f.relation == "entry"]
    about = {f.subject: f.answer for f in facts if f.kind == "about"}
    assert "Mara Quill moved to Selbury" in about["Mara Quill"]


def test_derivations_work_on_facts_from_free_text():
    note = ("Ana Lisk works for Brightwell Labs. Brightwell Labs is headquartered in Tarnwick. "
            "Bo Lind works for Orrin Mills, which makes rope.")
    messages = [HumanMessage("task"), HumanMessage(note), AIMessage("So Ana Lisk is the one to ask.")]
    learned, _ = learn_facts(messages, SleepConfig())
    assert ("Ana Lisk", "headquarters of the employer", "Tarnwick") in _triples(learned, "chain")
    assert {f.source for f in learned if f.subject == "Ana Lisk" and f.kind == "attribute"} == {"user message"}
    assert any(f.kind == "about" and f.source == "assistant note" for f in learned)


def _lookups(*records):
    messages = [HumanMessage("Look up every person.")]
    for i, r in enumerate(records):
        messages += [_call("lookup", {"name": r["name"]}, f"c{i}"),
                     ToolMessage(json.dumps(r), tool_call_id=f"c{i}", name="lookup")]
    return messages


def test_a_chain_takes_one_link_from_an_earlier_sleep():
    # at a small budget a person and their mentor are consolidated in different sleeps
    first = assemble(_lookups({"name": "Ana Lisk", "city": "Olvesby", "mentor": "Bo Lind"}), [],
                     SleepConfig(passes=1, seed=0))
    assert not _triples(first.learned, "chain")
    second = assemble(_lookups({"name": "Bo Lind", "city": "Tarnwick", "mentor": "Cy Moor"}), first.history,
                      SleepConfig(passes=1, seed=0))
    assert _triples(second.learned, "chain") == {("Ana Lisk", "city of the mentor", "Tarnwick"),
                                                 ("Ana Lisk", "mentor of the mentor", "Cy Moor")}
    assert any(e.part == "chain" and e.subject == "Ana Lisk" for e in second.train)
    # a value restated in the window replaces the earlier one as a link; two earlier links make no
    # chain (that sleep derived it already); a chain or a transcript line is never a link
    third = assemble(_lookups({"name": "Ana Lisk", "city": "Olvesby", "mentor": "Dee Hart"},
                              {"name": "Dee Hart", "city": "Selbury"}), second.history, SleepConfig(passes=1, seed=0))
    chains = _triples(third.learned, "chain")
    assert ("Ana Lisk", "city of the mentor", "Selbury") in chains
    assert not {c for c in chains if c[2] in ("Tarnwick", "Cy Moor")}


def test_remembered_reads_back_only_attributes_from_sleep_data():
    from sleep_agent.consolidation.derive import remembered

    note = "Ana Lisk works for Brightwell Labs. Brightwell Labs is headquartered in Tarnwick."
    data = assemble([HumanMessage("task"), HumanMessage(note)], [], SleepConfig(passes=1, seed=0))
    assert {(f.subject, f.relation, f.answer) for f in remembered(data.history)} == {
        ("Ana Lisk", "employer", "Brightwell Labs"), ("Brightwell Labs", "headquarters", "Tarnwick")}


def test_nudges_errors_and_invalid_calls_never_become_facts():
    messages = [
        HumanMessage("Find the city of Ana Lisk."),
        AIMessage("", invalid_tool_calls=[{"name": "lookup", "args": "{bad", "id": "x", "error": "bad JSON"}]),
        HumanMessage(invalid_call_feedback(["bad JSON at Ana Lisk"]), additional_kwargs={GRAPH_NOTE_KEY: "feedback"}),
        HumanMessage(invalid_call_feedback(["the reply was empty"])),  # an older thread: not marked
        HumanMessage(LOOP_NOTE),
        _call("lookup", {"name": "Ana Lisk"}, "c1"),
        ToolMessage("Error: no such file: Quenmar Hall.txt", tool_call_id="c1", name="lookup"),
        _call("lookup", {"name": "Bo Lind"}, "c2"),
        ToolMessage("Bo Lind lives in Olvesby. Bo Lind works as a weaver.", tool_call_id="c2", name="lookup",
                    status="error"),
        AIMessage("", tool_calls=[{"name": "lookup", "args": {"name": "Cy Rho"}, "id": "c3"}],
                  response_metadata={"text_beside_calls": "Ana Lisk lives in Halvik"}),
        ToolMessage("Cy Rho lives in Yastel.", tool_call_id="c3", name="lookup"),
    ]
    assert [s.origin for s in sources(messages)] == ["lookup(name='Cy Rho')"]
    assert _triples(extract_facts(messages)) == {("Cy Rho", "city", "Yastel")}


def test_calls_written_as_text_never_become_facts():
    # The window of the small suite's updates (seed 1) that taught 10 people's "office" as a call: the
    # model wrote its plan out as calls (the last cut off), and the harness's nudge named the next call.
    plan = "\n".join(json.dumps({"name": "lookup", "arguments": {"name": n}}) for n in ("Thumor Lusasa", "Kadro Lufensa"))
    messages = [
        HumanMessage("Look up every person's office."),
        _call("lookup", {"name": "Garthu Vomordro"}, "c1"),
        ToolMessage('{"name": "Garthu Vomordro", "office": "Pimquodromere"}\nNext: call '
                    '{"name": "lookup", "arguments": {"name": "Thumor Lusasa"}}', tool_call_id="c1", name="lookup",
                    artifact={"name": "Garthu Vomordro", "office": "Pimquodromere"}),
        AIMessage(plan + '\n{"name": "lookup", "arguments": {'),
        HumanMessage('Not done yet. Next: call {"name": "lookup", "arguments": {"name": "Quozi Lurinmor"}}'),
        AIMessage('Noted: Bo Lind lives in Olvesby. <tool_call>{"name": "lookup", "arguments": {"name": "Bo Lind"}}'
                  '</tool_call>'),
    ]
    facts = extract_facts(messages)
    assert not [f for f in facts if '"arguments"' in f.answer or "<tool_call>" in f.answer]
    assert {f.subject for f in facts} == {"Garthu Vomordro", "Bo Lind"}  # nobody named only in a call
    # the note's own words are still learned, and data JSON is not mistaken for a call
    assert {("Garthu Vomordro", "office", "Pimquodromere"), ("Bo Lind", "city", "Olvesby")} <= _triples(facts)
    assert "assistant note" in {s.origin for s in sources(messages)}


def test_short_plain_results_still_give_call_facts_long_ones_do_not():
    short = [HumanMessage("t"), _call("calculator", {"expression": "6*7"}, "c1"),
             ToolMessage("42", tool_call_id="c1", name="calculator")]
    assert [(f.kind, f.subject, f.answer) for f in extract_facts(short)] == [("call", "expression=6*7", "42")]
    long_text = " ".join(f"Line {i} of the report is filler text about nothing in particular." for i in range(60))
    long = [HumanMessage("t"), _call("read_file", {"path": "report.txt"}, "c1"),
            ToolMessage(long_text, tool_call_id="c1", name="read_file")]
    assert not [f for f in extract_facts(long) if f.kind == "call"]


def test_plain_text_key_value_blocks_are_records():
    text = "Name: Ilsa Varro\nCity: Dreslow\nEmployer: Kintmoor Salt\n\nName: Teo Brandt\nCity: Halvik\n"
    facts = extract_facts([HumanMessage("t"), _call("read_file", {"path": "staff.txt"}, "c1"),
                           ToolMessage(text, tool_call_id="c1", name="read_file")])
    assert {("Ilsa Varro", "City", "Dreslow"), ("Ilsa Varro", "Employer", "Kintmoor Salt"),
            ("Teo Brandt", "City", "Halvik")} <= _triples(facts)


def test_self_study_keeps_only_pairs_the_chunk_supports():
    chunk = "Kira Holt replaced the pump in hall 3 on 12 May. Order 5521 was shipped to Lodz."
    reply = ("Who replaced the pump in hall 3? | Kira Holt | pump in hall 3 | replaced by\n"
             "Where was order 5521 shipped? | Gdansk | order 5521 | destination\n"          # not in the text
             "Who is Kira Holt? | Kira Holt | Kira Holt | identity\n"                         # gives it away
             "What destination did you find for order 5521? | Lodz | order 5521 | destination\n"  # an eval form
             "junk line without fields")
    pairs = parse_pairs(reply)
    assert len(pairs) == 4
    kept = [p for p in pairs if supported(chunk, *p)]
    assert kept == [("Who replaced the pump in hall 3?", "Kira Holt", "pump in hall 3", "replaced by")]


def test_self_study_needs_answer_and_subject_in_one_sentence():
    # the two wrong facts the prose smoke suite kept when the whole chunk was the check (docs/eval-smoke-forms/)
    chunk = ("Registry entry for Bravo Drobrabra. The entry was last checked in the spring. "
             "You will find Bravo Drobrabra in Katelvoford. Its line of business is salt.")
    assert not supported(chunk, "What is the office of Bravo Drobrabra?", "spring", "Bravo Drobrabra", "office")
    assert not supported(chunk, "Where is the registry entry located?", "Katelvoford", "registry entry", "office")
    assert supported(chunk, "Where can one find Bravo Drobrabra?", "Katelvoford", "Bravo Drobrabra", "location")
    # a sentence opening with "Its" is about the entity named before it
    assert supported(chunk, "What does Bravo Drobrabra deal in?", "salt", "Bravo Drobrabra", "industry")
    # the subject checked is the name the fact is stored under, not the generated phrase around it
    # (pairs the 0.5B model wrote on a prose window, docs/eval-smoke-forms/)
    chunk = ("Registry entry for Neldrotel Tank. Neldrotel Tank now reads 57. No complaints are on file.\n"
             "Registry entry for Ringar Zibrarin. Thupim Satelsa works from the Fenmordroford office.")
    assert supported(chunk, "What is the current reading of the Neldrotel Tank?", "57",
                     "registry entry for Neldrotel Tank", "reading")
    assert not supported(chunk, "What is the office of the registry entry for Ringar Zibrarin?",
                         "Fenmordroford office", "registry entry for Ringar Zibrarin", "office")


def test_chunks_are_whole_sentences_and_capped():
    text = " ".join(f"Sentence number {i} says little." for i in range(200))
    parts = chunks([text], size=200, limit=5)
    assert len(parts) == 5 and all(p.endswith(".") and len(p) <= 200 for p in parts)


def test_directions_to_a_tool_are_not_studied():
    # the demo's record: read whole by the statement reader but for its "Next:" line, which sent
    # every record to self-study again (3-4 facts already learned, ~12 s of generation a sleep)
    archive = RecordArchive(seed=4, size=3)
    messages = [HumanMessage("Read every record.")]
    for i in range(3):
        text, _ = archive.next_record()
        assert "next_record" in text or i == 2
        messages += [_call("next_record", {}, f"c{i}"), ToolMessage(text, tool_call_id=f"c{i}", name="next_record")]
    assert chunks(free_texts(messages)) == []
    assert all("next_record" not in t for t in free_texts(messages))
    # a tool named with a plain word is a direction only after "call"/"use"/"run"; the rest is kept
    found = [HumanMessage("task"), _call("search", {"q": "Ana"}, "s1"),
             ToolMessage("The search party found Ana Lisk near Tarnwick in May. Use search again for more.",
                         tool_call_id="s1", name="search")]
    assert free_texts(found) == ["The search party found Ana Lisk near Tarnwick in May."]
    assert is_tool_direction("Then call lookup_city with the name.", ["lookup_city"])
    assert not is_tool_direction("Ana Lisk works at Lookup Cityworks.", ["lookup_city"])


@pytest.mark.slow
def test_self_study_runs_on_the_tiny_model_and_trusts_nothing(tiny_runtime):
    # plumbing: a tiny *randomly initialised* model writes junk; every kept pair must still be supported
    texts = ["Kira Holt replaced the pump in hall 3 on 12 May. Order 5521 was shipped to Lodz.",
             "Teo Brandt signed the lease for unit 14 in March. The rent is 900 a month."]
    facts, stats = self_study(tiny_runtime, texts, max_chunks=2)
    assert stats["chunks"] == len(chunks(texts, limit=2)) == 1  # short texts are packed into one chunk
    assert stats["seconds"] > 0 and stats["kept"] == len(facts) <= stats["generated"]
    assert all(f.kind == "studied" and f.answer.lower() in " ".join(texts).lower() for f in facts)


def test_a_sentence_opening_with_a_pronoun_is_about_the_entity_named_before_it():
    from sleep_agent.consolidation.statements import entity_sentences, resolved_sentences, stated_relations

    text = ("Registry entry for Brightwell Mills. No complaints are on file. Its line of business is "
            "brewing. It trades in salt. The head office of Brightwell Mills is in Tarnwick.")
    assert resolved_sentences(text)[2] == "Brightwell Mills's line of business is brewing."
    assert stated_relations(text) == [("Brightwell Mills", "industry", "brewing"),
                                      ("Brightwell Mills", "industry", "salt"),
                                      ("Brightwell Mills", "headquarters", "Tarnwick")]
    assert "Brightwell Mills trades in salt." in entity_sentences(text)["Brightwell Mills"]
    # the nearest name wins; a pronoun with nobody named before it stays a pronoun
    two = "Ana Lisk lives in Halvik. Bo Rin works for Quell Mills. He moved to Yastel."
    assert ("Bo Rin", "city", "Yastel") in stated_relations(two)
    assert resolved_sentences("It rained. Then Ana Lisk left.")[0] == "It rained."


def test_the_world_in_every_form_gives_its_records_facts():
    from sleep_agent_benchmarks.world import FORMS, World

    for seed in (0, 1):
        truth = None
        for form in FORMS:
            w = World(seed=seed, form=form)
            truth = truth or {(r["name"], k, v) for r in w.records for k, v in r.items() if k != "name"}
            assert {r["name"] for r in w.records} == {n for n, _, _ in truth}  # the same world in each form
            got = _triples(extract_facts(w.trajectory()))
            if form != "prose":
                assert got == truth, form
                continue
            # plain text: every person's city and employer is read without a model; the rest is
            # worded so that no field name appears ("It trades in brewing"), for self-study
            people = {(n, r, v) for n, r, v in truth if r in ("city", "employer", "headquarters")}
            assert people <= got
            # "Its line of business is X" / "It trades in X" are read through the pronoun; "has been
            # in X for decades" is not (a place reads the same way)
            industry = {t for t in truth if t[1] == "industry"}
            assert industry & got and not (got - truth)
            assert not [m for m in w.trajectory() if getattr(m, "artifact", None)]


def test_eval_families_in_every_form_carry_the_same_records():
    from sleep_agent_evals.families import suite

    for json_task, nested_task, prose_task in zip(*(suite("smoke", 0, form=f) for f in ("json", "nested", "prose"))):
        assert json_task.questions == nested_task.questions == prose_task.questions
        assert _triples(extract_facts(json_task.messages)) == _triples(extract_facts(nested_task.messages))
        assert all("{" not in m.content for m in prose_task.messages[2::2])  # results are text
    with pytest.raises(ValueError, match="unknown result form"):
        suite("smoke", 0, form="xml")
