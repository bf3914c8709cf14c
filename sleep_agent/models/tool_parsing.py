"""Parse tool calls out of the raw text a local chat model produced.

Small local models emit tool calls as Qwen/Hermes ``<tool_call>{...}</tool_call>`` tags,
as fenced ```json blocks, or as bare JSON objects in the reply.  :func:`parse_tool_calls`
finds them, validates them against OpenAI-format tool schemas (coercing where it is
unambiguous), and never raises: problems are reported in ``ParseResult.errors`` and the raw
text of a rejected call stays in ``content``.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Sequence

MAX_SCAN_CHARS = 200_000  # only this much of the text is searched for tool calls

_TAG_OPEN, _TAG_CLOSE, _FENCE = "<tool_call>", "</tool_call>", "```"
_ARG_KEYS = ("arguments", "parameters", "args")
_DECODER = json.JSONDecoder(strict=False)  # strict=False: allow raw newlines inside strings
_FAIL = object()  # "did not decode" sentinel (None is a valid JSON value)
_FENCE_OPEN_RE = re.compile(r"```[ \t]*[\w+.-]*[ \t]*\r?\n?")
_BARE_START_RE = re.compile(r'\{\s*"')
_INT_RE = re.compile(r"\s*[+-]?\d{1,30}\s*")
_FLOAT_RE = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}


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
    error: str | None = None  # JSON could not be decoded (tags only)


def parse_tool_calls(text: str, tools: Sequence[dict] | None) -> ParseResult:
    """Extract and validate the tool calls in ``text``; never raises."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        schemas = _tool_schemas(tools)
        if not schemas:
            return ParseResult(text, [], [])
        return _parse(text, schemas)
    except Exception as exc:  # noqa: BLE001 - the parser must never raise
        return ParseResult(text if isinstance(text, str) else "", [],
                           [f"internal tool-call parser error: {type(exc).__name__}: {exc}"])


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
            name, args, err = _validate(item, schemas)
            if err is not None:
                errors.append(f"tool call {n}: {err}")
                all_ok = False
            else:
                calls.append(ParsedToolCall(name, args, _new_id(ids)))
        if all_ok:  # a span with a rejected call stays in content so nothing is lost
            removed.append((cand.start, cand.end))
    return ParseResult(_remove_spans(text, removed).strip(), calls, errors)


def _tool_schemas(tools: Sequence[dict] | None) -> dict[str, dict]:
    """name -> JSON schema of the parameters, for OpenAI-wrapped or bare function schemas."""
    out: dict[str, dict] = {}
    for tool in tools or ():
        if not isinstance(tool, dict):
            continue
        fn = tool["function"] if isinstance(tool.get("function"), dict) else tool
        name = fn.get("name")
        if isinstance(name, str) and name:
            params = fn.get("parameters")
            out[name] = params if isinstance(params, dict) else {"type": "object", "properties": {}}
    return out


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


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _decode_at(text: str, i: int) -> tuple[Any, int]:
    """Decode one JSON object/array starting exactly at ``i``; (_FAIL, i) if there is none."""
    if i >= len(text) or text[i] not in "{[":
        return _FAIL, i
    try:
        return _DECODER.raw_decode(text, i)
    except (ValueError, RecursionError):
        return _FAIL, i


def _loads_lenient(s: str) -> tuple[Any, str | None]:
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
            k = _skip_ws(s, i + 1)
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
        i = _skip_ws(text, body_start)
        if text.startswith(_FENCE, i):  # <tool_call>```json ... ```</tool_call>
            nl = text.find("\n", i)
            i = _skip_ws(text, nl) if nl != -1 else len(text)
        # Decode the JSON value in place first, so tags or fences inside strings don't matter.
        obj, json_end = _decode_at(text, i)
        end = -1
        if obj is not _FAIL:
            after = _skip_ws(text, json_end)
            if text.startswith(_FENCE, after):
                after = _skip_ws(text, after + 3)
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
            obj, error = _loads_lenient(_strip_fence(text[body_start:body_end]))
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
        obj, json_end = _decode_at(text, _skip_ws(text, body_start))
        end = -1
        if obj is not _FAIL:
            after = _skip_ws(text, json_end)
            if text.startswith(_FENCE, after):
                end = after + 3
            elif after >= len(text):
                end = len(text)
        if end == -1:
            body = text[body_start:naive_close if naive_close != -1 else len(text)]
            obj, error = _loads_lenient(body)
            if error is None:
                end = next_pos
        if end != -1:
            next_pos = max(next_pos, end)
            if _is_attempt(obj, schemas):
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
        obj, end = _decode_at(text, m.start())
        if obj is _FAIL:
            continue
        pos = end
        if _is_attempt(obj, schemas):
            out.append(_Candidate(m.start(), end, obj))
    return out


# ---------------------------------------------------------------------------------------------
# interpreting and validating calls


def _unwrap(item: dict) -> tuple[Any, Any, bool]:
    """(name, raw arguments, whether an arguments key was present) of one call object."""
    inner = item["function"] if isinstance(item.get("function"), dict) else item
    for holder in (inner, item):
        for key in _ARG_KEYS:
            if key in holder:
                return inner.get("name"), holder[key], True
    return inner.get("name"), {}, False


def _is_attempt(obj: Any, schemas: dict[str, dict]) -> bool:
    """Outside tags, JSON is a call attempt only if it names a string and carries arguments
    (or names a known tool) - so data or code the model merely shows is left alone."""
    items = obj if isinstance(obj, list) else [obj]
    if not items:
        return False
    for item in items:
        if not isinstance(item, dict):
            return False
        name, _, has_args = _unwrap(item)
        if not isinstance(name, str) or not (has_args or name in schemas):
            return False
    return True


def _validate(item: Any, schemas: dict[str, dict]) -> tuple[str, dict, str | None]:
    if not isinstance(item, dict):
        return "", {}, f"expected a JSON object with 'name' and 'arguments', got {_type_name(item)}"
    name, args, _ = _unwrap(item)
    if not isinstance(name, str) or not name:
        return "", {}, "missing or non-string 'name'"
    if name not in schemas:
        return name, {}, f"unknown tool {name!r} (available: {', '.join(schemas)})"
    if args is None or (isinstance(args, str) and not args.strip()):
        args = {}
    if isinstance(args, str):  # JSON-encoded arguments
        args, error = _loads_lenient(args)
        if error is not None:
            return name, {}, f"tool {name!r}: arguments string is {error}"
    if not isinstance(args, dict):
        return name, {}, f"tool {name!r}: arguments must be a JSON object, got {_type_name(args)}"
    args = _strip_schema_echo(args, schemas[name])
    args, problems = _check(args, schemas[name], "", coerce=True)
    if problems:
        return name, {}, f"tool {name!r}: " + "; ".join(problems)
    return name, args, None


_SCHEMA_KEYWORDS = frozenset({"type", "title", "description", "required", "additionalProperties", "$schema",
                              "properties"})


def _strip_schema_echo(args: dict, schema: dict) -> dict:
    """Undo a small model echoing the JSON schema instead of filling it in.

    Seen on qwen2.5-coder-0.5b: ``{"properties": {"name": "X"}, "required": ["name"]}`` for
    ``{"name": "X"}``, a stray ``"type": "object"`` beside the real arguments, or made-up
    ``properties`` for a tool that takes no arguments. Schema keywords that the tool does not declare
    as parameters are dropped and ``properties`` is unwrapped when it holds declared parameters; the
    result is still validated against the schema like any other call.
    """
    declared = set((schema or {}).get("properties") or {})
    props = args.get("properties")
    if "properties" not in declared and isinstance(props, dict) and props and set(props) <= declared \
            and not any(isinstance(v, dict) and "type" in v for v in props.values()):
        args = {**{k: v for k, v in args.items() if k != "properties"}, **props}
    return {k: v for k, v in args.items() if k in declared or k not in _SCHEMA_KEYWORDS}


_JSON_TYPE_NAMES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
                    (list, "array"), (dict, "object"), (type(None), "null"))


def _type_name(value: Any) -> str:
    return next((n for t, n in _JSON_TYPE_NAMES if isinstance(value, t)), type(value).__name__)


def _where(path: str) -> str:
    return f"argument {path!r}" if path else "arguments"


def _short(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _check(value: Any, schema: Any, path: str, coerce: bool) -> tuple[Any, list[str]]:
    """Validate ``value`` against a JSON-schema subset; returns (possibly coerced value, problems)."""
    if not isinstance(schema, dict):
        return value, []
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list) and alternatives:
        for c in ((False, True) if coerce else (False,)):  # exact match beats coercion
            for alt in alternatives:
                v, problems = _check(value, alt, path, c)
                if not problems:
                    return v, _check_enum(v, schema, path)
        wanted = " or ".join(str(a.get("type", "value")) for a in alternatives if isinstance(a, dict))
        return value, [f"{_where(path)}: expected {wanted}, got {_type_name(value)} ({_short(value)})"]

    problems: list[str] = []
    all_of = schema.get("allOf")
    for sub in all_of if isinstance(all_of, list) else []:
        value, more = _check(value, sub, path, coerce)
        problems += more
    types = schema.get("type")
    types = [types] if isinstance(types, str) else [t for t in types or [] if isinstance(t, str)]
    if types:
        matched = _match_types(value, types, coerce)
        if matched is _FAIL:
            return value, problems + [f"{_where(path)}: expected {' or '.join(types)}, "
                                      f"got {_type_name(value)} ({_short(value)})"]
        value = matched
    problems += _check_enum(value, schema, path)
    if problems:
        return value, problems

    if isinstance(value, dict):
        return _check_object(value, schema, path, coerce)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = []
        for i, item in enumerate(value):
            v, more = _check(item, schema["items"], f"{path}[{i}]", coerce)
            items.append(v)
            problems += more
        return items, problems
    return value, problems


def _check_enum(value: Any, schema: dict, path: str) -> list[str]:
    enum = schema.get("enum")
    if "const" in schema:
        enum = [schema["const"]]
    if isinstance(enum, list) and not any(_same(value, e) for e in enum):
        return [f"{_where(path)}: {_short(value)} is not one of {enum!r}"]
    return []


def _check_object(value: dict, schema: dict, path: str, coerce: bool) -> tuple[dict, list[str]]:
    props = schema.get("properties")
    props = props if isinstance(props, dict) else None
    extra = schema.get("additionalProperties")
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    join = (lambda k: f"{path}.{k}") if path else (lambda k: k)
    problems = [f"missing required argument {join(r)!r}"
                for r in required if isinstance(r, str) and r not in value]
    out = {}
    for key, v in value.items():
        if props is not None and key in props:
            v, more = _check(v, props[key], join(key), coerce)
            problems += more
        elif isinstance(extra, dict):
            v, more = _check(v, extra, join(key), coerce)
            problems += more
        elif extra is False or (props is not None and extra is not True):
            problems.append(f"unexpected argument {join(key)!r}"
                            + (f" (expected: {', '.join(props)})" if props else ""))
        out[key] = v
    return out, problems


def _match_types(value: Any, types: list[str], coerce: bool) -> Any:
    """The value as the first type it matches (exactly first, then by safe coercion), or _FAIL."""
    for c in ((False, True) if coerce else (False,)):
        for t in types:
            v = _match(value, t, c)
            if v is not _FAIL:
                return v
    return _FAIL


def _match(value: Any, t: str, coerce: bool) -> Any:
    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "string":
        if isinstance(value, str):
            return value
        if coerce and is_num:
            return str(value)
    elif t == "integer":
        if is_num and isinstance(value, int):
            return value
        if coerce and isinstance(value, float) and value.is_integer():
            return int(value)
        if coerce and isinstance(value, str) and _INT_RE.fullmatch(value):
            return int(value)
    elif t == "number":
        if is_num:
            return value
        if coerce and isinstance(value, str):
            if _INT_RE.fullmatch(value):
                return int(value)
            if _FLOAT_RE.fullmatch(value) and math.isfinite(f := float(value)):
                return f
    elif t == "boolean":
        if isinstance(value, bool):
            return value
        if coerce and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    elif t == "null":
        if value is None:
            return None
    elif t in ("array", "object"):
        wanted = list if t == "array" else dict
        if isinstance(value, wanted):
            return value
        if coerce and isinstance(value, str):  # a JSON-encoded list / object
            decoded, error = _loads_lenient(value)
            if error is None and isinstance(decoded, wanted):
                return decoded
    else:
        return value  # unknown type keyword: be lenient
    return _FAIL
