"""Records: entities and their attributes from structured content, however it is nested.

A record is a JSON object (or a block of ``key: value`` lines in plain text) that names an entity:
its id-like field (``name``, ``title``, ``id``, ... or the first short string) is the subject and its
other scalar fields are attributes. Records are found at any depth:

- a list of objects is a list of records: ``{"page": 1, "records": [{...}, {...}, {...}]}`` gives three
  entities (the page number names nothing and is dropped);
- a nested object with an id field of its own (``name``, ``id``, ...) is a record; one without
  (``{"name": "Ana", "address": {"city": "Olvesby"}}``) lends its fields to its parent, named by the leaf key ("city"), or by
  "address city" when the parent already has a "city";
- a record with only a numeric id is named by its list's key: ``{"crates": [{"id": 7, ...}]}`` -> "crate 7";
- a long string value (a sentence) is free text, not an id: it is returned for :mod:`.statements`
  to read (``{"entry": 7, "event": "code of door B7 set to 4411"}`` is an event, not an entity
  called "code of door B7 set to 4411").

Example::

    >>> find_records({"page": 1, "records": [{"crate": "K-1", "units": 36}, {"crate": "K-2", "units": 5}]})
    ([Record(subject='K-1', attributes={'units': '36'}), Record(subject='K-2', attributes={'units': '5'})], [])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["ENTITY_KEYS", "Record", "find_records", "text_records", "is_free_text"]

ENTITY_KEYS = ("name", "title", "id", "entity", "key", "code", "label")  # which field names a record, in order
MAX_ID_WORDS = 6        # an id longer than this is a sentence (free text), not a name
MAX_DEPTH = 8           # deeper nesting is not walked (a pathological tool result must not stall a sleep)
_KEY_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 _-]{0,40}?)\s*[:=]\s*(\S.*?)\s*$")


@dataclass(frozen=True)
class Record:
    """An entity: ``subject`` and its ``attributes`` (relation -> value as text)."""

    subject: str
    attributes: dict[str, str]


def is_free_text(value: Any) -> bool:
    """A string that reads as a sentence rather than a name or a value."""
    return isinstance(value, str) and len(value.split()) > MAX_ID_WORDS


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _relation(key: str) -> str:
    return str(key).replace("_", " ").strip()


def _singular(key: str) -> str:
    key = _relation(key)
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _subject_key(obj: dict, *, id_only: bool = False) -> str | None:
    """The field that names ``obj``: an id-like key with a short value, else (unless ``id_only``) the
    first short string."""
    for k in ENTITY_KEYS:
        for key in obj:
            if str(key).lower() == k and _scalar(obj[key]) and not is_free_text(obj[key]) and str(obj[key]).strip():
                return key
    if id_only:
        return None
    return next((k for k, v in obj.items() if isinstance(v, str) and v.strip() and not is_free_text(v)
                 and not str(v).strip().replace(".", "").isdigit()), None)


def find_records(value: Any, *, group: str = "", depth: int = 0) -> tuple[list[Record], list[str]]:
    """Every record in a JSON ``value``, and the free-text strings found in it (for :mod:`.statements`)."""
    records: list[Record] = []
    texts: list[str] = []
    if depth > MAX_DEPTH:
        return records, texts
    if isinstance(value, list):
        for item in value:
            r, t = find_records(item, group=group, depth=depth + 1)
            records += r
            texts += t
        return records, texts
    if isinstance(value, str):
        return records, ([value] if is_free_text(value) else [])
    if not isinstance(value, dict):
        return records, texts

    key = _subject_key(value)
    attributes: dict[str, str] = {}
    for k, v in value.items():
        if k == key:
            continue
        if is_free_text(v):
            texts.append(v)
        elif _scalar(v):
            attributes[_relation(k)] = str(v)
        elif isinstance(v, dict) and _subject_key(v, id_only=True) is None and key is not None:
            # an unnamed nested object (an address) describes its parent
            for k2, v2 in v.items():
                if is_free_text(v2):
                    texts.append(v2)
                elif _scalar(v2):
                    rel = _relation(k2)
                    attributes[f"{_relation(k)} {rel}" if rel in attributes or rel in value else rel] = str(v2)
        else:
            r, t = find_records(v, group=str(k), depth=depth + 1)
            records += r
            texts += t
    if key is not None and attributes:
        subject = str(value[key]).strip()
        if isinstance(value[key], (int, float)):  # "crate 7", not "7"
            subject = f"{_singular(group) or _relation(key)} {subject}"
        records.insert(0, Record(subject, attributes))
    return records, texts


def _blocks(text: str) -> Iterator[list[str]]:
    block: list[str] = []
    for line in text.splitlines():
        if _KEY_LINE.match(line):
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def text_records(text: str) -> list[dict]:
    """Blocks of two or more ``key: value`` lines in plain text, each as a dict (a plain-text record)."""
    out = []
    for block in _blocks(text):
        if len(block) >= 2:
            pairs = [_KEY_LINE.match(line).groups() for line in block]
            out.append({k.strip(): v for k, v in pairs})
    return out
