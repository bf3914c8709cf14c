"""Parse tool calls out of the raw text a local chat model produced.

Small local models emit tool calls as Qwen/Hermes ``<tool_call>{...}</tool_call>`` tags,
as fenced ```json blocks, or as bare JSON objects in the reply.  :func:`parse_tool_calls`
finds them, validates them against OpenAI-format tool schemas (coercing where it is
unambiguous), and never raises: problems are reported in ``ParseResult.errors`` and the raw
text of a rejected call stays in ``content``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Sequence

from .tool_json import FAIL, decode_at, loads_lenient, skip_ws
from .tool_schema import is_call_attempt, tool_schemas, validate_call

__all__ = ["MAX_SCAN_CHARS", "ParseResult", "ParsedToolCall", "parse_tool_calls", "without_calls"]

MAX_SCAN_CHARS = 200_000  # only this much of the text is searched for tool calls

_TAG_OPEN, _TAG_CLOSE, _FENCE = "<tool_call>", "</tool_call>", "```"
_FENCE_OPEN_RE = re.compile(r"```[ \t]*[\w+.-]*[ \t]*\r?\n?")
_BARE_START_RE = re.compile(r'\{\s*"')
_NAMED_START_RE = re.compile(r'\{\s*"name"\s*:\s*"([^"]+)"')
# The opening of a call object, up to its arguments key: enough to know a cut-off object was a call.
_CALL_OPEN_RE = re.compile(r'\{\s*"name"\s*:\s*"[^"]*"\s*,\s*"(?:arguments|parameters|args)"\s*:')


@dataclass(frozen=True)
class ParsedToolCall:
    name: str
    args: dict
    id: str  # "call_" + 8 hex digits, unique within one ParseResult


@dataclass(frozen=True)
class ParseResult:
    content: str  # the text with accepted tool-call spans removed, stripped
    tool_calls: list[ParsedToolCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    start: int
    end: int
    obj: Any
    error: str | None = None  # JSON could not be decoded (tags, or a bare call that never closes)


def parse_tool_calls(text: str, tools: Sequence[dict] | None) -> ParseResult:
    """Extract and validate the tool calls in ``text``; never raises."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        schemas = tool_schemas(tools)
        if not schemas:
            return ParseResult(text, [], [])
        return _parse(text, schemas)
    except Exception as exc:  # noqa: BLE001 - the parser must never raise
        return ParseResult(text if isinstance(text, str) else "", [],
                           [f"internal tool-call parser error: {type(exc).__name__}: {exc}"])


def without_calls(text: str) -> str:
    """``text`` with every tool call written in it removed: ``<tool_call>`` blocks, and JSON objects of
    the call shape (a ``name`` and ``arguments``) for any tool, also one cut off at the end.

    For reading text as knowledge, not for running it: a small model writes its plan as a list of
    calls, and a task or a tool's hint names the next call ("Next: call {...}"); learned as what is
    known about the people named in them, they made the sleep answer "what is X's office?" with a
    call. Data JSON (``{"name": "Ana", "city": "Olvesby"}``) is not a call and stays.

        >>> without_calls('Next: call {"name": "lookup", "arguments": {"name": "Ana Lisk"}}')
        'Next: call '
    """
    spans = [(c.start, c.end) for c in _tag_candidates(text) + _bare_candidates(text, {})]
    kept = _remove_spans(text, spans)
    for m in _CALL_OPEN_RE.finditer(kept):
        # A call that never closes runs to the end. One that decodes is nested in data (a record
        # listing steps): the data stays whole.
        if decode_at(kept, m.start())[0] is FAIL:
            return kept[:m.start()]
    return kept


# ---------------------------------------------------------------------------------------------
# driver


def _parse(text: str, schemas: dict[str, dict]) -> ParseResult:
    scan = text[:MAX_SCAN_CHARS]
    candidates = (_tag_candidates(scan) or _fence_candidates(scan, schemas)
                  or _bare_candidates(scan, schemas))
    calls: list[ParsedToolCall] = []
    errors: list[str] = []
    removed: list[tuple[int, int]] = []
    ids: set[str] = set()
    n = 0
    for cand in candidates:
        if cand.error is not None:
            n += 1
            errors.append(f"tool call {n}: {cand.error}")
            continue
        items = cand.obj if isinstance(cand.obj, list) else [cand.obj]
        if not items:
            n += 1
            errors.append(f"tool call {n}: empty list")
            continue
        all_ok = True
        for item in items:
            n += 1
            name, args, err = validate_call(item, schemas)
            if err is not None:
                errors.append(f"tool call {n}: {err}")
                all_ok = False
            else:
                calls.append(ParsedToolCall(name, args, _new_id(ids)))
        if all_ok:  # a span with a rejected call stays in content so nothing is lost
            removed.append((cand.start, cand.end))
    return ParseResult(_remove_spans(text, removed).strip(), calls, errors)


def _new_id(used: set[str]) -> str:
    while True:
        cid = f"call_{uuid.uuid4().hex[:8]}"
        if cid not in used:
            used.add(cid)
            return cid


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in sorted(spans):
        parts.append(text[pos:start])
        pos = max(pos, end)
    parts.append(text[pos:])
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# finding candidates


def _strip_fence(body: str) -> str:
    body = body.strip()
    if body.startswith(_FENCE):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rstrip()
        if body.endswith(_FENCE):
            body = body[:-3]
    return body


def _tag_candidates(text: str) -> list[_Candidate]:
    """``<tool_call>`` blocks; a missing closing tag is tolerated."""
    out: list[_Candidate] = []
    pos = text.find(_TAG_OPEN)
    while pos != -1:
        body_start = pos + len(_TAG_OPEN)
        i = skip_ws(text, body_start)
        if text.startswith(_FENCE, i):  # <tool_call>```json ... ```</tool_call>
            nl = text.find("\n", i)
            i = skip_ws(text, nl) if nl != -1 else len(text)
        # Decode the JSON value in place first, so tags or fences inside strings don't matter.
        obj, json_end = decode_at(text, i)
        end = -1
        if obj is not FAIL:
            after = skip_ws(text, json_end)
            if text.startswith(_FENCE, after):
                after = skip_ws(text, after + 3)
            close, next_open = text.find(_TAG_CLOSE, after), text.find(_TAG_OPEN, after)
            if close == after:
                end = after + len(_TAG_CLOSE)
            elif close == -1 or (next_open != -1 and next_open < close):
                end = json_end  # unclosed tag: whatever follows the JSON is free text
        error = None
        if end == -1:  # no clean JSON value: the body runs to the closing tag / next tag / end
            close, next_open = text.find(_TAG_CLOSE, body_start), text.find(_TAG_OPEN, body_start)
            body_end = min((x for x in (close, next_open) if x != -1), default=len(text))
            end = body_end + len(_TAG_CLOSE) if body_end == close else body_end
            obj, error = loads_lenient(_strip_fence(text[body_start:body_end]))
        out.append(_Candidate(pos, end, obj, error))
        pos = text.find(_TAG_OPEN, end)
    return out


def _fence_candidates(text: str, schemas: dict[str, dict]) -> list[_Candidate]:
    """```json / ``` blocks holding one call object or a list of them."""
    out: list[_Candidate] = []
    pos = 0
    while (m := _FENCE_OPEN_RE.search(text, pos)) is not None:
        body_start = m.end()
        naive_close = text.find(_FENCE, body_start)
        next_pos = naive_close + 3 if naive_close != -1 else len(text)
        obj, json_end = decode_at(text, skip_ws(text, body_start))
        end = -1
        if obj is not FAIL:
            after = skip_ws(text, json_end)
            if text.startswith(_FENCE, after):
                end = after + 3
            elif after >= len(text):
                end = len(text)
        if end == -1:
            body = text[body_start:naive_close if naive_close != -1 else len(text)]
            obj, error = loads_lenient(body)
            if error is None:
                end = next_pos
        if end != -1:
            next_pos = max(next_pos, end)
            if is_call_attempt(obj, schemas):
                out.append(_Candidate(m.start(), end, obj))
        pos = max(next_pos, m.start() + 1)
    return out


def _bare_candidates(text: str, schemas: dict[str, dict]) -> list[_Candidate]:
    """Top-level JSON objects anywhere in the text (nested ones are not counted twice)."""
    if '"name"' not in text:
        return []
    out: list[_Candidate] = []
    pos = 0
    for m in _BARE_START_RE.finditer(text):
        if m.start() < pos:
            continue
        obj, end = decode_at(text, m.start())
        if obj is FAIL:
            # An object that names one of the tools but never closes is a call attempt that broke
            # (a reply cut by its token limit, seen on the 0.5B model): an invalid call, so the model
            # gets feedback and a retry, not a final answer made of half a JSON object.
            named = _NAMED_START_RE.match(text, m.start())
            if named and named.group(1) in schemas:
                out.append(_Candidate(m.start(), len(text), None,
                                      f"invalid JSON: the call to {named.group(1)} never closes (cut off, or "
                                      "braces do not match)"))
                break
            continue
        pos = end
        if is_call_attempt(obj, schemas):
            out.append(_Candidate(m.start(), end, obj))
    return out
