"""The transcript reader (sleep_agent/consolidation/conversation.py): who said what, and when.

Pages written for this test in LoCoMo's shape (a dated header, then ``Speaker: words`` lines); no
model is loaded."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent.consolidation.conversation import TOPICS_PER_LINE, said_facts, said_recalled, utterances
from sleep_agent.consolidation.dataset import build_examples
from sleep_agent.consolidation.extract import extract_facts, free_texts
from sleep_agent.consolidation.phrasings import TRAIN, is_reserved, masked
from sleep_agent.scoring import first_sentence

PAGE = """Session 2 (2:32 pm on 29 January, 2023), part 1 of 2:
Mara: Hey Teo! Long time no see!
Teo: Hi Mara! I finally opened my bakery on Harbour Street last week, after months of paperwork.
Mara: Wow, congrats!
Mara: I started a pottery course at Kelso Studio and my first bowl cracked in the kiln.
Teo: Sorry about the bowl! Next month I am travelling to Lisbon for a baking fair. [shares a photo: a tray of croissants]
Mara: Lisbon sounds wonderful, I went there with my sister when we were students."""


def test_a_dated_transcript_gives_each_speakers_lines_with_the_date():
    said = utterances(PAGE)
    assert [u.speaker for u in said] == ["Mara", "Teo", "Mara", "Mara", "Teo", "Mara"]
    assert {u.date for u in said} == {"29 January, 2023"}
    facts = said_facts(PAGE, "read(session=2)")
    # greetings and reactions ("Wow, congrats!") are too short to teach anything
    assert all("congrats" not in f.answer and "Long time" not in f.answer for f in facts)
    bakery = [f for f in facts if f.subject == "Teo" and "bakery" in f.answer]
    # the sentence that names the topic, not the greeting the line opens with
    assert bakery and bakery[0].answer == ("On 29 January, 2023, Teo said: I finally opened my bakery on Harbour "
                                           "Street in the week before 29 January, 2023, after months of paperwork.")
    # "last week" is written as the week it means: a person asks when the bakery opened, not when Teo said so
    lisbon = [f for f in facts if f.subject == "Teo" and "Lisbon" in f.answer]
    assert lisbon and "In February, 2023 I am travelling to Lisbon" in lisbon[0].answer
    assert {f.kind for f in facts} == {"said"} and all(f.source == "read(session=2)" for f in facts)
    topics = {(f.subject, f.relation) for f in facts}
    assert ("Teo", "Harbour Street") in topics and ("Mara", "Kelso Studio") in topics  # named things first
    assert not any(t in {"Hi", "Wow", "Sorry", "Next"} for _, t in topics)  # sentence starts and greetings
    assert all(len(f.relation.split()) <= 2 for f in facts)


def test_the_same_topic_in_two_lines_of_one_speaker_is_two_facts_not_a_changed_value():
    facts = extract_facts([HumanMessage("Read the chat."),
                           AIMessage("", tool_calls=[{"id": "c1", "name": "read", "args": {"page": 1}}]),
                           ToolMessage(PAGE, tool_call_id="c1")])
    lisbon = [f for f in facts if f.subject == "Mara" and "Lisbon" in f.answer]
    assert lisbon and all(not f.stale for f in facts)
    keys = [(f.subject, f.relation.lower()) for f in facts]
    assert len(keys) == len(set(keys))


def test_self_study_does_not_read_a_transcript_again():
    """The transcript reader reads every line with its speaker and date; self-study's attribute facts
    about the same lines took the wrong speaker and no date (docs/locomo/README.md)."""
    notes = "Teo keeps the bakery's accounts in a green ledger. The ledger is checked every Friday."
    messages = [HumanMessage("Read the chat."),
                AIMessage("", tool_calls=[{"id": "c1", "name": "read", "args": {"page": 1}},
                                          {"id": "c2", "name": "notes", "args": {}}]),
                ToolMessage(PAGE, tool_call_id="c1"), ToolMessage(notes, tool_call_id="c2")]
    assert free_texts(messages) == [notes]


def test_the_last_page_of_a_session_is_a_transcript_under_its_dated_header():
    tail = "Session 3 (4:10 pm on 2 March, 2023), part 3 of 3:\nTeo: Thanks! I will send you the bakery menu tomorrow."
    assert [(u.speaker, u.date) for u in utterances(tail)] == [("Teo", "2 March, 2023")]
    assert utterances("Summary of the day\nTeo: Thanks! I will send you the bakery menu tomorrow.") == []


def test_record_blocks_and_single_labels_are_not_transcripts():
    assert utterances("Name: Ana Lisk\nCity: Tarnwick\nJob: baker") == []
    two_records = "Name: Ana Lisk\nCity: Tarnwick\n\nName: Bo Lind\nCity: Olvesby works as a baker"
    assert utterances(two_records) == []  # the same keys twice, but no speech
    assert utterances("Note: the archive has 7 records.") == []
    assert said_facts("Ana Lisk lives in Tarnwick. She works as a baker.") == []


def test_a_transcript_read_through_a_tool_becomes_said_facts_not_greeting_names():
    facts = extract_facts([HumanMessage("Read the chat."),
                           AIMessage("", tool_calls=[{"id": "c1", "name": "read", "args": {"page": 1}}]),
                           ToolMessage(PAGE, tool_call_id="c1")])
    assert facts and {f.kind for f in facts} == {"said"}
    assert not any(f.subject.startswith(("Hey", "Hi", "Wow")) for f in facts)


def test_said_facts_train_in_their_own_words_and_are_asked_back_in_others():
    facts = said_facts(PAGE)
    train, heldout = build_examples(facts)
    # one held-out question per fact, in words no training example uses, marked for the line check
    assert len(heldout) == len(facts) and {e.kind for e in heldout} == {"said"}
    assert not {e.question for e in heldout} & {e.question for e in train}
    assert all(not is_reserved(e.question, [e.subject], e.relation) for e in train)
    forms = {q.question.replace(e_subject, "{subject}", 1) for q in train for e_subject in [q.subject]}
    assert all(not is_reserved(e.question, [e.subject], e.relation) for e in train)
    assert any(q.startswith("When did {subject} talk about") for q in forms)
    # the keys of one line share the said forms: max(keys, forms) examples a line, every key and form used
    by_line: dict[tuple, set[str]] = {}
    for f in facts:
        by_line.setdefault((f.subject, f.answer), set()).add(f.relation)
    for (speaker, answer), keys in by_line.items():
        line = [e for e in train if e.answer == answer]
        assert len(line) == max(len(keys), len(TRAIN["said"])), (answer, keys)
        assert {e.relation for e in line} == keys
        assert {masked(e.question, [speaker], e.relation) for e in line} == {t.lower() for t in TRAIN["said"]}


def test_a_line_is_kept_under_the_words_a_person_would_ask_by():
    """LoCoMo asks "What kind of flooring is Jon looking for?" of "I'm after Marley flooring": the
    named thing alone (Marley) was the key until 2026-12-06, and 3 of conv-26's 37 questions named one."""
    page = ("Session 2 (29 January, 2023):\nJon: I'm after Marley flooring, which is what dance studios usually use."
            "\nGina: Marley is great, it has grip.\nJon: The studio opens next month in the old mill.")
    keys = {f.relation.lower() for f in said_facts(page) if "Marley flooring" in f.answer}
    assert {"marley", "flooring", "studios"} <= keys and len(keys) <= TOPICS_PER_LINE
    train, _ = build_examples(said_facts(page))
    flooring = [e for e in train if e.relation == "flooring"]
    assert len(flooring) == 1 and flooring[0].answer.endswith("I'm after Marley flooring, which is what dance "
                                                             "studios usually use.")


def test_only_transcript_lines_share_forms_two_records_with_one_value_each_get_all():
    from sleep_agent.consolidation.facts import Fact
    facts = [Fact("attribute", "Ana Lisk", "city", "Tarnwick"), Fact("attribute", "Bo Lind", "city", "Tarnwick"),
             Fact("attribute", "Ana Lisk", "home town", "Tarnwick")]
    train, _ = build_examples(facts)
    assert len(train) == len(facts) * len(TRAIN["attribute"])


def test_a_transcript_sleep_anchors_never_seen_names_in_the_said_words_too():
    from sleep_agent import SleepConfig
    from sleep_agent.consolidation.engine import assemble

    messages = [HumanMessage("Read the chat."),
                AIMessage("", tool_calls=[{"id": "c1", "name": "read", "args": {"page": 1}}]),
                ToolMessage(PAGE, tool_call_id="c1")]
    data = assemble(messages, [], SleepConfig(self_study=0, rephrase=0))
    unknown = [e for e in data.train if e.part == "unknown"]
    said_openings = ("What did ", "When did ", "Recall what ")  # TRAIN["said"]'s, never an attribute form's
    assert all(q.startswith(said_openings) for q in TRAIN["said"])
    assert any(e.question.startswith(said_openings) for e in unknown), [e.question for e in unknown]
    assert all(e.answer.startswith("I have no record of") for e in unknown)
    assert not any(name in e.question for e in unknown for name in ("Mara", "Teo"))


BAKERY = ("On 29 January, 2023, Teo said: I finally opened my bakery on Harbour Street last week, after months "
          "of paperwork.")
ASKED = "What was it that Teo shared regarding bakery?"


def test_a_said_line_is_recalled_by_its_date_and_a_third_of_its_own_words():
    # the line in other words and the date in another order: recalled
    assert said_recalled("On January 29, 2023 Teo opened his bakery on Harbour Street.", BAKERY, ASKED)
    # the words without the date: the date is what "when" questions ask, so it is required
    assert not said_recalled("Teo finally opened the bakery on Harbour Street after months of paperwork.",
                             BAKERY, ASKED)
    # the date with the question echoed back ("Teo", "bakery" are given): nothing recalled
    assert not said_recalled("On 29 January, 2023, Teo said something about the bakery.", BAKERY, ASKED)
    # another line of the same day: the wrong words
    assert not said_recalled("On 29 January, 2023, Teo said: I am travelling to Lisbon for a baking fair.",
                             BAKERY, ASKED)
    # a tool call is never an answer, whatever it holds
    assert not said_recalled('<tool_call>{"name": "read", "arguments": {"text": "' + BAKERY + '"}}</tool_call>',
                             BAKERY, ASKED)
    # a line without a date needs only its words
    undated = "Teo said: I finally opened my bakery on Harbour Street."
    assert said_recalled("He opened a bakery on Harbour Street.", undated, ASKED)


def test_an_answer_is_one_sentence_whatever_the_line_ends_with():
    """Scoring cuts a reply at its first sentence, so a trained answer that ran past it would teach
    words no reply is scored on: a line ending in "?" or "!" or nothing is one sentence too."""
    page = ("Session 4 (10:37 am on 27 June, 2023), part 1 of 1:\n"
            "Mara: Did you ever bake those rye loaves for the Harbour Street market?\n"
            "Teo: Yes! I sold forty rye loaves at the Harbour Street market on Sunday!\n"
            "Mara: My pottery teacher at Kelso Studio says my glazing finally looks even")
    answers = {f.answer for f in said_facts(page)}
    assert answers == {
        "On 27 June, 2023, Mara said: Did you ever bake those rye loaves for the Harbour Street market?",
        "On 27 June, 2023, Teo said: I sold forty rye loaves at the Harbour Street market on Sunday!",
        "On 27 June, 2023, Mara said: My pottery teacher at Kelso Studio says my glazing finally looks even"}
    assert all(first_sentence(a) == a for a in answers)
