"""Lenient JSON for tool calls: decode a value in place, or decode after repairing near-JSON.

Small models write tool-call JSON with 'single quotes', trailing commas or Python literals; the
finders in :mod:`.tool_parsing` and the argument checks in :mod:`.tool_schema` both read JSON
through these helpers, so they live below both.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["FAIL", "decode_at", "loads_lenient", "skip_ws"]

_DECODER = json.JSONDecoder(strict=False)  # strict=False: allow raw newlines inside strings
FAIL = object()  # "did not decode" sentinel (None is a valid JSON value)
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}


def skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def decode_at(text: str, i: int) -> tuple[Any, int]:
    """Decode one JSON object/array starting exactly at ``i``; (FAIL, i) if there is none."""
    if i >= len(text) or text[i] not in "{[":
        return FAIL, i
    try:
        return _DECODER.raw_decode(text, i)
    except (ValueError, RecursionError):
        return FAIL, i


def loads_lenient(s: str) -> tuple[Any, str | None]:
    """json.loads, then once more after a simple repair; (obj, None) or (None, error)."""
    s = s.strip()
    try:
        return _DECODER.decode(s), None
    except ValueError as exc:
        first_error = str(exc)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    try:
        return _DECODER.decode(_repair(s)), None
    except (ValueError, RecursionError):
        return None, f"invalid JSON: {first_error}"


def _repair(s: str) -> str:
    """Fix common near-JSON: 'single quotes', trailing commas, Python True/False/None."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in "\"'":
            j, buf = i + 1, []
            while j < n and s[j] != c:
                if s[j] == "\\" and j + 1 < n:
                    buf.append("'" if s[j + 1] == "'" else s[j:j + 2])
                    j += 2
                else:
                    buf.append('\\"' if s[j] == '"' else s[j])
                    j += 1
            if j >= n:  # unterminated string: leave it for the decoder to reject
                out.append(s[i:])
                break
            out.append('"' + "".join(buf) + '"')
            i = j + 1
        elif c == ",":
            k = skip_ws(s, i + 1)
            if k >= n or s[k] not in "}]":
                out.append(c)
            i += 1
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (s[j].isalnum() or s[j] == "_"):
                j += 1
            out.append(_PY_LITERALS.get(s[i:j], s[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)
