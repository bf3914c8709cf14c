"""Relative times in a dated line, written as the dates they mean.

A transcript line says "yesterday", "last week", "next month"; its page's header gives the day it was
said. Once the line is a memory, the day it was said is one more date beside it, and a person asking
"When did Jon lose his job?" wants the day it happened. Measured on LoCoMo (docs/locomo/README.md,
stop 47): replies that recalled the right line ("On 20 January, 2023, Jon said: Lost my job as a banker
yesterday") were answered with the day it was said, and the base model reading such a line back did
not do the arithmetic either. A 0.5B model cannot be relied on to count back from a date; this module
does it when the line is written down, as a person writing a diary entry would.

    >>> resolve("Lost my job as a banker yesterday, so I'm starting a business.", "20 January, 2023")
    "Lost my job as a banker on 19 January, 2023, so I'm starting a business."
    >>> resolve("Last week I went to a pride parade.", "3 July, 2023")
    'In the week before 3 July, 2023 I went to a pride parade.'
    >>> resolve("I ran a charity race last Saturday.", "25 May, 2023")
    'I ran a charity race on Saturday, 20 May, 2023.'

What is resolved, and to what (a day is written as the header writes it, "7 May, 2023"):

- yesterday, last night, the day before yesterday, tomorrow, N days ago: the day;
- last / next <weekday>: that day ("on Saturday, 20 May, 2023"); a bare "Saturday" is left, it may be
  either side;
- last / this / next week or weekend: "the week before / of / after" the day said (no single day);
- last / this / next month: the month and year; last / this / next year: the year;
- N weeks ago: "N weeks before" the day said. N years ago and "a few days ago" are left: "How long
  ago ...?" asks for those words, and "a few" is no number.

"like (just) yesterday" is an idiom and left; so is "today": the header's date, which the memory keeps
beside the line, already says it. After a preposition ("since last week") the phrase goes in without
its own ("since the week before ...").
Lines without a date, or with one this module cannot read, are returned as they are.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["parse_day", "resolve", "write_day"]

_DAY_FORMATS = ("%d %B, %Y", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%Y-%m-%d")  # the headers' forms (conversation._DATE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_PREPOSITIONS = frozenset("since until till from before after by for of over during around about in on at".split())
_NUMBER = r"\d{1,2}|" + "|".join(_NUMBERS)
_PHRASE = re.compile(
    # not after a determiner ("the last week of school" names a week) or in "like (just) yesterday"
    r"(?<!the )(?<!my )(?<!a )(?<!our )(?<!like )(?<!like just )"
    r"\b(?:(?P<dby>the day before yesterday)|(?P<yesterday>yesterday|last night)|(?P<tomorrow>tomorrow)"
    rf"|(?P<n>{_NUMBER}) (?P<unit>days?|weeks?) ago"
    rf"|(?P<rel>last|this|next) (?P<what>week(?:end)?|month|year|{'|'.join(_WEEKDAYS)}))\b",
    re.IGNORECASE)


def parse_day(text: str) -> date | None:
    """The day a header writes ("8 May, 2023", "May 8, 2023", "2023-05-08"), or None."""
    for fmt in _DAY_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def write_day(day: date) -> str:
    """A day as the LoCoMo headers write it: "7 May, 2023" (no leading zero)."""
    return f"{day.day} {day:%B, %Y}"


def _month(day: date, step: int) -> str:
    """The month ``step`` months from ``day``'s, as "June, 2023"."""
    months = day.year * 12 + day.month - 1 + step
    return f"{date(months // 12, months % 12 + 1, 1):%B, %Y}"


def _phrase(m: re.Match, said: date) -> tuple[str, str]:
    """(preposition, phrase) for one relative time said on ``said``."""
    when = write_day(said)
    if m["dby"] or m["yesterday"] or m["tomorrow"]:
        return "on", write_day(said + timedelta(days=-2 if m["dby"] else -1 if m["yesterday"] else 1))
    if m["n"]:
        n = int(m["n"]) if m["n"].isdigit() else _NUMBERS[m["n"].lower()]
        if m["unit"].lower().startswith("day"):
            return "on", write_day(said - timedelta(days=n))
        return "", f"{m['n']} {m['unit']} before {when}"
    rel, what = m["rel"].lower(), m["what"].lower()
    step = {"last": -1, "this": 0, "next": 1}[rel]
    if what in _WEEKDAYS:
        if rel == "this":  # "this Saturday" may be either side of the day said
            return "", m.group()
        gap = (said.weekday() - _WEEKDAYS.index(what)) % 7 or 7  # days back to the last such day
        day = said - timedelta(days=gap) if step < 0 else said + timedelta(days=(7 - gap) or 7)
        return "on", f"{what.capitalize()}, {write_day(day)}"
    if what in ("week", "weekend"):
        side = {"last": "before", "this": "of", "next": "after"}[rel]
        return ("in" if what == "week" else "on"), f"the {what} {side} {when}"
    if what == "month":
        return "in", _month(said, step)
    return "in", str(said.year + step)


def resolve(line: str, said_on: str) -> str:
    """``line`` with its relative times written as dates, counted from ``said_on`` (a header's date)."""
    said = parse_day(said_on) if said_on else None
    if said is None:
        return line

    def replace(m: re.Match) -> str:
        prep, phrase = _phrase(m, said)
        before = line[:m.start()].split()
        if prep and (not before or before[-1].lower() not in _PREPOSITIONS):
            phrase = f"{prep} {phrase}"
        return phrase[:1].upper() + phrase[1:] if m.group()[:1].isupper() else phrase

    return _PHRASE.sub(replace, line)
