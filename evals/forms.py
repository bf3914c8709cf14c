"""How a scripted world's tool results are delivered: JSON records, records nested in pages, or prose.

The same facts in three forms, so a report can show what the sleep learns from each (the retention
benchmark's ``--form``, the eval families' ``form``):

- ``json``: the record as a flat JSON object, also as the ToolMessage's artifact (the original form);
- ``nested``: the record inside ``{"page": k, "records": [...]}``, as a paginated API returns it; no artifact;
- ``prose``: a short paragraph in varied wording with a filler line, not the field names ("It trades
  in brewing" for ``industry``); no artifact.

Example::

    >>> prose({"name": "Ana Reyes", "city": "Olvesby"}, random.Random(0))
    'Registry entry for Ana Reyes. Ana Reyes moved to Olvesby some years ago. The entry was last checked in the spring.'
"""

from __future__ import annotations

import json
import random

__all__ = ["FORMS", "PROSE", "check_form", "nested", "prose", "render"]

FORMS = ("json", "nested", "prose")

# Plain-text renderings per field, several each so the text does not read as a template. "{name}" is
# the record's name, "{value}" the field's value.
PROSE: dict[str, tuple[str, ...]] = {
    "city": ("{name} lives in {value}.", "{name} moved to {value} some years ago.",
             "These days {name} resides in {value}."),
    "employer": ("{name} works for {value}.", "{name} is employed by {value}.",
                 "For a living, {name} works at {value}."),
    "headquarters": ("{name} is headquartered in {value}.", "{name} is based in {value}.",
                     "The head office of {name} is in {value}."),
    "industry": ("Its line of business is {value}.", "It trades in {value}.",
                 "{name} has been in {value} for decades."),
    "mentor": ("{name} is mentored by {value}.", "{name} learned the trade from {value}, who still mentors them.",
               "The mentor of {name} is {value}."),
    "level": ("The level of {name} is now {value}.", "{name} now reads {value}.",
              "After the change, {name} stands at {value}."),
    "office": ("{name}'s office is in {value}.", "{name} works from the {value} office.",
               "You will find {name} in {value}."),
}
_GENERIC = ("The {field} of {name} is {value}.",)
_FILLER = ("The entry was last checked in the spring.", "No complaints are on file.",
           "The registry lists no other notes.", "A clerk confirmed this entry by phone.")


def check_form(form: str) -> str:
    if form not in FORMS:
        raise ValueError(f"unknown result form {form!r}: one of {', '.join(FORMS)}")
    return form


def prose(record: dict, rng: random.Random) -> str:
    """A record as a short paragraph: one sentence per field in a random wording, and one filler line."""
    name = record["name"]
    said = [rng.choice(PROSE.get(k, _GENERIC)).format(name=name, value=v, field=k.replace("_", " "))
            for k, v in record.items() if k != "name"]
    said.insert(rng.randrange(len(said) + 1), rng.choice(_FILLER))
    return f"Registry entry for {name}. " + " ".join(said)


def nested(records: list[dict], page: int, pages: int | None = None) -> dict:
    """Records inside a page, as a paginated API returns them."""
    return {"page": page, **({"of": pages} if pages else {}), "records": records}


def render(record: dict, form: str, rng: random.Random, page: int = 1) -> tuple[str, dict | None]:
    """``(content, artifact)`` of a tool result holding ``record`` in ``form``."""
    if check_form(form) == "prose":
        return prose(record, rng), None
    if form == "nested":
        return json.dumps(nested([record], page)), None
    return json.dumps(record), record
