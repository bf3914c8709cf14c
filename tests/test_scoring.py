"""The checker (sleep_agent/scoring.py): every case here was scored the other way by the checker
before it (the first number only, substrings, a period as a sentence end, tool calls accepted)."""

from __future__ import annotations

import pytest

from sleep_agent.consolidation import EntityGate, general_correct
from sleep_agent.consolidation.answering import Reply
from sleep_agent.scoring import first_sentence, is_correct, is_decline, is_markup, is_tool_call, numbers_in, token_f1

from decimal import Decimal


@pytest.mark.parametrize("reply, answer, check, right", [
    ("The crate K-192 holds 36 units.", "36", "number", True),         # was: first number 192
    ("The crate K-192 holds 36 units.", "192", "number", False),       # an identifier is not a number
    ("It holds 1,200 units.", "1200", "number", True),
    ("The price is $3.50 today.", "3.5", "number", True),
    ("It weighs 36kg.", "36", "contains", True),
    ("Level 15 now.", "5", "number", False),
    ("Level 5.5 now.", "5", "number", False),
    ("The host is 10.0.4.17.", "10", "number", False),
    ("The delta was -5.", "-5", "number", True),
    ("It has eight legs.", "8", "contains", True),
    ("There are 10 of them.", "0", "contains", False),                  # was: "0" in "10"
    ("Take my advice.", "ice", "contains", False),                      # was: "ice" in "advice"
    ("She lives in Canada.", "Ana", "contains", False),
    ("Ana lives in Tarnwick.", "tarnwick", "contains", True),
    ("tarnwick.", "Tarnwick", "exact", True),
    ("It is Tarnwick.", "Tarnwick", "exact", False),
])
def test_checker_reads_whole_numbers_and_whole_words(reply, answer, check, right):
    assert is_correct(reply, answer, check) is right


def test_a_tool_call_reply_is_wrong_whatever_it_contains():
    call = '{"name": "read_ledger", "arguments": {"page": 5}}'
    assert is_tool_call(call) and not is_correct(call, "5", "number")  # was: scored right for 5
    tagged = '<tool_call>{"name": "lookup", "arguments": {"name": "Ana"}}</tool_call> Tarnwick'
    assert not is_correct(tagged, "Tarnwick")
    assert not is_decline('{"name": "lookup", "arguments": {"name": "no record"}}')
    assert not is_tool_call('The record reads {"name": "Ana", "city": "Tarnwick"}.')  # data, not a call
    assert is_correct('The record reads {"name": "Ana", "city": "Tarnwick"}.', "Tarnwick")
    reply = Reply.of(call + "\n")
    assert reply.tool_call and not is_correct(reply, "5", "number")


def test_a_markup_echo_is_not_an_answer():
    # The adapter-on demo, seed 21: the agent echoed its recollection block, city inside; was scored right.
    echo = ('<recollection>\n{"question": "In which city does Zilu Luthupim live?"}\n'
            '{"properties": {"city": {"description": "The city of Zilu Luthupim is Corrine Bay."}}}\n</recollection>')
    assert is_markup(echo) and not is_correct(echo, "Corrine Bay")
    record = '{"name": "Ana", "city": "Tarnwick"}'
    assert is_markup(record) and not is_correct(record, "Tarnwick") and token_f1(record, "Tarnwick") == 0.0
    assert not is_decline('[{"answer": "no record"}]')
    assert not is_markup("Zilu Luthupim lives in Corrine Bay.") and is_correct("Zilu Luthupim lives in Corrine Bay.",
                                                                                "Corrine Bay")
    assert not is_markup("It is 3 < 5 {sic}")  # a bracket inside words is not markup


def test_a_stale_value_in_the_reply_makes_it_wrong():
    assert not is_correct("It moved from Oldby to Newby.", "Newby", wrong=("Oldby",))
    assert is_correct("It is in Newby.", "Newby", wrong=("Oldby",))
    assert not is_correct("The level went from 40 to 47.", "47", "number", wrong=("40",))


@pytest.mark.parametrize("text, first", [
    ("It costs 3.50 dollars. Then more.", "It costs 3.50 dollars."),       # was: "It costs 3."
    ("He lives in St. Ives. He likes it.", "He lives in St. Ives."),        # was: "He lives in St."
    ("The host is 10.0.4.17 today. Next.", "The host is 10.0.4.17 today."),  # was: "The host is 10."
    ("Ask Dr. Vey about it. Then go.", "Ask Dr. Vey about it."),
    ("J. R. Smith lives here. Yes.", "J. R. Smith lives here."),
    ("Yes!\nMore lines", "Yes!"),
    ("\nThe answer is 4.", "\nThe answer is 4."),
])
def test_first_sentence_keeps_decimals_abbreviations_and_addresses(text, first):
    assert first_sentence(text) == first


def test_numbers_are_whole_tokens():
    assert numbers_in("K-192 holds 36 units, v2 of 3, 1,042 in all") == [Decimal(36), Decimal(3), Decimal(1042)]


def test_general_control_answers_match_whole_words():
    assert general_correct("A spider has 8 legs.", "8|eight")
    assert not general_correct("Water freezes at 100 degrees.", "0|zero")   # was right: "0" in "100"
    assert general_correct("It freezes at 0 degrees Celsius.", "0|zero")


def test_gate_matches_whole_names_only():
    gate = EntityGate(["Ana", "Vo Karin"])
    assert gate.allows("Where does Ana live?") and gate.allows("Where does  vo   karin live?")
    assert not gate.allows("What is the capital of Canada?")               # was: "ana" in "canada"
    assert not gate.allows("Who is Vo Karinsky?")
    assert gate.matches("Is Vo Karin Ana's mentor?") == ["vo karin", "ana"]


def test_decline_markers_are_whole_words():
    assert is_decline("I have no record of Lena Marsh.")
    assert is_decline("I don't know.")
    assert not is_decline("The city is Unknownville.")
