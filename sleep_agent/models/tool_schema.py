"""Check a decoded tool call against the tool's OpenAI-format JSON schema, coercing where unambiguous.

:func:`validate_call` turns one decoded call object into ``(name, arguments, error)``: it unwraps the
common call shapes, undoes a small model echoing the schema, and checks the arguments against a
JSON-schema subset (types, enums, required, anyOf/oneOf/allOf, nested objects and arrays).
:func:`is_call_attempt` decides whether JSON found outside ``<tool_call>`` tags is a call at all.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

from .tool_json import FAIL, loads_lenient

__all__ = ["is_call_attempt", "tool_schemas", "validate_call"]

_ARG_KEYS = ("arguments", "parameters", "args")
_INT_RE = re.compile(r"\s*[+-]?\d{1,30}\s*")
_FLOAT_RE = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def tool_schemas(tools: Sequence[dict] | None) -> dict[str, dict]:
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


def _unwrap(item: dict) -> tuple[Any, Any, bool]:
    """(name, raw arguments, whether an arguments key was present) of one call object."""
    inner = item["function"] if isinstance(item.get("function"), dict) else item
    for holder in (inner, item):
        for key in _ARG_KEYS:
            if key in holder:
                return inner.get("name"), holder[key], True
    return inner.get("name"), {}, False


def is_call_attempt(obj: Any, schemas: dict[str, dict]) -> bool:
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


def validate_call(item: Any, schemas: dict[str, dict]) -> tuple[str, dict, str | None]:
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
        args, error = loads_lenient(args)
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
        if matched is FAIL:
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
    """The value as the first type it matches (exactly first, then by safe coercion), or FAIL."""
    for c in ((False, True) if coerce else (False,)):
        for t in types:
            v = _match(value, t, c)
            if v is not FAIL:
                return v
    return FAIL


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
            decoded, error = loads_lenient(value)
            if error is None and isinstance(decoded, wanted):
                return decoded
    else:
        return value  # unknown type keyword: be lenient
    return FAIL
