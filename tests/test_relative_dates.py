"""Relative times written as dates (sleep_agent/consolidation/relative_dates.py), on known pairs.

The lines are written for this test in the shape of LoCoMo's; no model is loaded."""

from __future__ import annotations

from datetime import date

import pytest

from sleep_agent.consolidation.relative_dates import parse_day, resolve, write_day


@pytest.mark.parametrize("said_on", ["8 May, 2023", "8 May 2023", "May 8, 2023", "2023-05-08"])
def test_every_header_form_is_read(said_on):
    assert parse_day(said_on) == date(2023, 5, 8)
    assert resolve("I went to a support group yesterday.", said_on) == "I went to a support group on 7 May, 2023."


@pytest.mark.parametrize("line, said_on, written", [
    # days: counted back or forward, across a month's and a year's end
    ("Lost my job as a banker yesterday, sadly.", "1 March, 2023", "Lost my job as a banker on 28 February, 2023, sadly."),
    ("We met the day before yesterday.", "1 January, 2024", "We met on 30 December, 2023."),
    ("I will send the menu tomorrow.", "31 December, 2023", "I will send the menu on 1 January, 2024."),
    ("Yesterday I adopted a greyhound.", "8 May, 2023", "On 7 May, 2023 I adopted a greyhound."),
    ("I saw it 3 days ago and two days ago.", "8 May, 2023", "I saw it on 5 May, 2023 and on 6 May, 2023."),
    # weekdays: the last one strictly before the day said (25 May 2023 is a Thursday), the next one after
    ("I ran a charity race last Saturday.", "25 May, 2023", "I ran a charity race on Saturday, 20 May, 2023."),
    ("We played last Thursday.", "25 May, 2023", "We played on Thursday, 18 May, 2023."),
    ("The show is next Friday.", "25 May, 2023", "The show is on Friday, 26 May, 2023."),
    # weeks have no one day: the week before / of / after the day said
    ("Last week I went to a pride parade.", "3 July, 2023", "In the week before 3 July, 2023 I went to a pride parade."),
    ("We go camping next weekend.", "3 July, 2023", "We go camping on the weekend after 3 July, 2023."),
    ("I moved here two weeks ago.", "3 July, 2023", "I moved here two weeks before 3 July, 2023."),
    # months and years
    ("I'm going to a conference this month.", "3 July, 2023", "I'm going to a conference in July, 2023."),
    ("We are going camping next month.", "25 December, 2023", "We are going camping in January, 2024."),
    ("I painted a sunrise last year.", "8 May, 2023", "I painted a sunrise in 2022."),
    # after a preposition the phrase goes in without its own
    ("I have known them since last year.", "8 May, 2023", "I have known them since 2022."),
])
def test_relative_times_are_written_as_the_dates_they_mean(line, said_on, written):
    assert resolve(line, said_on) == written


@pytest.mark.parametrize("line", [
    "A friend made it for my 18th birthday ten years ago.",  # "How long ago ...?" asks for these words
    "Got the tattoo a few years ago.",                       # "a few" is no number
    "The last week of school was fun.",                      # a week named, not a time said relative to today
    "Maybe this Saturday, or on Sunday.",                    # either side of the day said
    "I feel great today.",
    "5 years already! Feels like just yesterday I put this dress on.",  # an idiom, not a day                                   # the header's date says it already
])
def test_what_has_no_one_meaning_is_left_as_said(line):
    assert resolve(line, "27 June, 2023") == line


def test_a_line_without_a_readable_date_is_left_as_said():
    assert resolve("I went there yesterday.", "") == "I went there yesterday."
    assert resolve("I went there yesterday.", "sometime in spring") == "I went there yesterday."
    assert write_day(date(2023, 5, 7)) == "7 May, 2023"
