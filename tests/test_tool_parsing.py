"""Tests for sleep_agent.models.tool_parsing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sleep_agent.models.tool_parsing import ParsedToolCall, ParseResult, parse_tool_calls, without_calls


def _fn(name, properties, required=()):
    return {"type": "function", "function": {
        "name": name, "description": f"{name} tool",
        "parameters": {"type": "object", "properties": properties, "required": list(required)}}}


TOOLS = [
    _fn("get_weather", {"city": {"type": "string"},
                        "unit": {"type": "string", "enum": ["c", "f"], "default": "c"}},
        required=["city"]),
    _fn("add", {"a": {"type": "integer"}, "b": {"type": "number"}}, required=["a", "b"]),
    _fn("toggle", {"flag": {"type": "boolean"},
                   "tags": {"type": "array", "items": {"type": "string"}},
                   "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}},
        required=["flag"]),
    # bare (non-wrapped) function schema form
    {"name": "ping", "description": "no arguments",
     "parameters": {"type": "object", "properties": {}}},
]
SCHEMAS = {(t.get("function") or t)["name"]: (t.get("function") or t)["parameters"] for t in TOOLS}


def one_call(result: ParseResult) -> ParsedToolCall:
    assert result.errors == [], result.errors
    assert len(result.tool_calls) == 1, result
    return result.tool_calls[0]


# --- forms ------------------------------------------------------------------------------------


def test_tool_call_tag():
    text = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    res = parse_tool_calls(text, TOOLS)
    call = one_call(res)
    assert (call.name, call.args) == ("get_weather", {"city": "Paris"})
    assert call.id.startswith("call_") and len(call.id) == len("call_") + 8
    assert res.content == ""


def test_multiple_tags_with_free_text():
    text = ('Let me check both.\n'
            '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n'
            '<tool_call>\n{"name": "add", "arguments": {"a": 1, "b": 2.5}}\n</tool_call>')
    res = parse_tool_calls(text, TOOLS)
    assert res.errors == []
    assert [(c.name, c.args) for c in res.tool_calls] == [
        ("get_weather", {"city": "Paris"}), ("add", {"a": 1, "b": 2.5})]
    assert len({c.id for c in res.tool_calls}) == 2
    assert res.content == "Let me check both."


def test_missing_closing_tag():
    text = 'Sure.\n<tool_call>\n{"name": "add", "arguments": {"a": 1, "b": 2}}'
    res = parse_tool_calls(text, TOOLS)
    assert one_call(res).args == {"a": 1, "b": 2}
    assert res.content == "Sure."


def test_bare_json():
    text = 'I will call it: {"name": "get_weather", "arguments": {"city": "Oslo"}} now.'
    res = parse_tool_calls(text, TOOLS)
    assert one_call(res).args == {"city": "Oslo"}
    assert res.content == "I will call it:  now."


def test_fenced_json_object():
    text = 'Calling:\n```json\n{"name": "add", "arguments": {"a": 2, "b": 3}}\n```\nDone.'
    res = parse_tool_calls(text, TOOLS)
    assert one_call(res).args == {"a": 2, "b": 3}
    assert res.content == "Calling:\n\nDone."


def test_fenced_list_and_plain_fence():
    calls = [{"name": "add", "arguments": {"a": 1, "b": 1}},
             {"name": "get_weather", "arguments": {"city": "Rome", "unit": "f"}}]
    for fence in ("```json", "```"):
        res = parse_tool_calls(f"{fence}\n{json.dumps(calls)}\n```", TOOLS)
        assert res.errors == []
        assert [(c.name, c.args) for c in res.tool_calls] == [(c["name"], c["arguments"]) for c in calls]
        assert res.content == ""


@pytest.mark.parametrize("key", ["parameters", "args"])
def test_argument_key_aliases(key):
    res = parse_tool_calls(json.dumps({"name": "add", key: {"a": 1, "b": 2}}), TOOLS)
    assert one_call(res).args == {"a": 1, "b": 2}


def test_string_encoded_arguments():
    text = json.dumps({"name": "add", "arguments": json.dumps({"a": 4, "b": 5})})
    assert one_call(parse_tool_calls(f"<tool_call>{text}</tool_call>", TOOLS)).args == {"a": 4, "b": 5}


def test_openai_wrappers():
    wrapped = {"type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    assert one_call(parse_tool_calls(json.dumps(wrapped), TOOLS)).args == {"a": 1, "b": 2}
    flat = {"type": "function", "name": "ping", "arguments": {}}
    assert one_call(parse_tool_calls(f"<tool_call>{json.dumps(flat)}</tool_call>", TOOLS)).name == "ping"


def test_no_arguments_key_for_known_tool():
    assert one_call(parse_tool_calls('<tool_call>{"name": "ping"}</tool_call>', TOOLS)).args == {}


# --- free text and non-calls ------------------------------------------------------------------


def test_plain_text_is_content():
    res = parse_tool_calls("  Hello there!  ", TOOLS)
    assert res == ParseResult("Hello there!", [], [])


def test_non_tool_json_left_alone():
    text = ('Here is the config:\n```json\n{"name": "my-app", "version": "1.0"}\n```\n'
            'and a dict {"name": "Alice", "age": 3} and {"x": {"name": "add", "arguments": {}}}')
    res = parse_tool_calls(text, TOOLS)
    assert res.tool_calls == [] and res.errors == []
    assert res.content == text


def test_code_block_that_is_not_json():
    text = "```python\nprint({'name': 1})\n```"
    assert parse_tool_calls(text, TOOLS) == ParseResult(text, [], [])


def test_no_tools_passthrough():
    text = '<tool_call>{"name": "add", "arguments": {"a": 1, "b": 2}}</tool_call>'
    assert parse_tool_calls(text, None) == ParseResult(text, [], [])
    assert parse_tool_calls(text, []) == ParseResult(text, [], [])


# --- malformed JSON ---------------------------------------------------------------------------


def test_invalid_json_in_tags_is_reported_and_kept():
    text = 'Hmm\n<tool_call>\n{"name": "add", "arguments": {"a": 1, "b": }\n</tool_call>'
    res = parse_tool_calls(text, TOOLS)
    assert res.tool_calls == []
    assert len(res.errors) == 1 and res.errors[0].startswith("tool call 1: invalid JSON: ")
    assert res.content == text


@pytest.mark.parametrize("body", [
    '{"name": "add", "arguments": {"a": 1, "b": 2,},}',
    "{'name': 'add', 'arguments': {'a': 1, 'b': 2}}",
])
def test_lenient_repair(body):
    assert one_call(parse_tool_calls(f"<tool_call>\n{body}\n</tool_call>", TOOLS)).args == {"a": 1, "b": 2}


def test_python_literals_repaired():
    body = "{'name': 'toggle', 'arguments': {'flag': True, 'note': None}}"
    call = one_call(parse_tool_calls(f"<tool_call>{body}</tool_call>", TOOLS))
    assert call.args == {"flag": True, "note": None}


def test_tag_without_name_is_an_error():
    res = parse_tool_calls('<tool_call>{"arguments": {}}</tool_call>', TOOLS)
    assert res.tool_calls == [] and "missing or non-string 'name'" in res.errors[0]


# --- validation -------------------------------------------------------------------------------


def tagged(name, args):
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': args})}\n</tool_call>"


def test_unknown_tool():
    text = tagged("foo", {})
    res = parse_tool_calls(text, TOOLS)
    assert res.tool_calls == []
    assert res.errors == ["tool call 1: unknown tool 'foo' (available: get_weather, add, toggle, ping)"]
    assert res.content == text


def test_missing_required_argument():
    res = parse_tool_calls(tagged("add", {"a": 1}), TOOLS)
    assert res.tool_calls == [] and "missing required argument 'b'" in res.errors[0]


def test_wrong_type():
    res = parse_tool_calls(tagged("add", {"a": "three", "b": 1}), TOOLS)
    assert res.tool_calls == []
    err = res.errors[0]
    assert "'add'" in err and "argument 'a'" in err and "expected integer" in err and "got string" in err


def test_coercions():
    call = one_call(parse_tool_calls(tagged("add", {"a": "3", "b": "2.5"}), TOOLS))
    assert call.args == {"a": 3, "b": 2.5}
    call = one_call(parse_tool_calls(tagged("add", {"a": 3.0, "b": 1}), TOOLS))
    assert call.args == {"a": 3, "b": 1} and isinstance(call.args["a"], int)
    call = one_call(parse_tool_calls(tagged("toggle", {"flag": "true", "tags": '["x"]'}), TOOLS))
    assert call.args == {"flag": True, "tags": ["x"]}
    call = one_call(parse_tool_calls(tagged("get_weather", {"city": 42}), TOOLS))
    assert call.args == {"city": "42"}


def test_union_prefers_exact_type():
    call = one_call(parse_tool_calls(tagged("toggle", {"flag": False, "note": None}), TOOLS))
    assert call.args == {"flag": False, "note": None}
    res = parse_tool_calls(tagged("toggle", {"flag": False, "note": [1]}), TOOLS)
    assert res.tool_calls == [] and "expected string or null" in res.errors[0]


def test_array_items_checked():
    res = parse_tool_calls(tagged("toggle", {"flag": True, "tags": ["a", [1]]}), TOOLS)
    assert res.tool_calls == [] and "argument 'tags[1]'" in res.errors[0]


def test_enum_violation():
    res = parse_tool_calls(tagged("get_weather", {"city": "Paris", "unit": "kelvin"}), TOOLS)
    assert res.tool_calls == [] and "'kelvin' is not one of ['c', 'f']" in res.errors[0]


def test_extra_argument():
    res = parse_tool_calls(tagged("ping", {"x": 1}), TOOLS)
    assert res.tool_calls == [] and "unexpected argument 'x'" in res.errors[0]


def test_arguments_not_an_object():
    res = parse_tool_calls('<tool_call>{"name": "add", "arguments": [1, 2]}</tool_call>', TOOLS)
    assert res.tool_calls == [] and "arguments must be a JSON object, got array" in res.errors[0]


def test_good_and_bad_calls_numbered():
    text = tagged("add", {"a": 1, "b": 2}) + "\n" + tagged("nope", {})
    res = parse_tool_calls(text, TOOLS)
    assert [c.name for c in res.tool_calls] == ["add"]
    assert len(res.errors) == 1 and res.errors[0].startswith("tool call 2: unknown tool 'nope'")
    assert res.content == tagged("nope", {})  # the accepted call's text is removed, the bad one kept


def test_huge_and_odd_inputs_do_not_raise():
    for text in ["{" * 100_000, '{"name": ' * 50_000, "<tool_call>" * 10_000, "```" * 10_000,
                 "[" * 5000 + "]" * 5000, "x" * 300_000 + '{"name": "ping", "arguments": {}}']:
        res = parse_tool_calls(text, TOOLS)
        assert isinstance(res, ParseResult) and isinstance(res.content, str)
        assert not any(e.startswith("internal") for e in res.errors)
    assert parse_tool_calls(None, TOOLS).content == ""  # type: ignore[arg-type]


# --- property tests ---------------------------------------------------------------------------

_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
               "array": list, "object": dict, "null": type(None)}


def _conforms(value, schema) -> bool:
    """Independent strict validator for the schema subset the test tools use."""
    if "anyOf" in schema:
        return any(_conforms(value, s) for s in schema["anyOf"])
    t = schema["type"]
    if isinstance(value, bool) and t in ("integer", "number"):
        return False
    if not isinstance(value, _JSON_TYPES[t]):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if t == "array" and "items" in schema:
        return all(_conforms(v, schema["items"]) for v in value)
    if t == "object":
        props = schema.get("properties", {})
        return (set(schema.get("required", [])) <= set(value) and set(value) <= set(props)
                and all(_conforms(v, props[k]) for k, v in value.items()))
    return True


_tricky_text = st.one_of(st.text(max_size=20),
                         st.sampled_from(["```", "</tool_call>", "{", "}", '"name"', "\n", "\\", "'"]))
_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), _tricky_text,
                         st.floats(allow_nan=False, allow_infinity=False))
_json_value = st.recursive(
    _json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(["name", "arguments", "parameters", "args",
                                                   "function", "type", "a", "b", "city", "flag"]),
                                  st.text(max_size=5)),
                        inner, max_size=4)),
    max_leaves=10)


def _value_for(schema):
    if "anyOf" in schema:
        return st.one_of(*[_value_for(s) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    t = schema["type"]
    if t == "string":
        return _tricky_text
    if t == "integer":
        return st.integers()
    if t == "number":
        return st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
    if t == "boolean":
        return st.booleans()
    if t == "null":
        return st.none()
    if t == "array":
        return st.lists(_value_for(schema["items"]), max_size=3)
    raise AssertionError(t)


def _args_for(schema):
    props, required = schema["properties"], set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: _value_for(v) for k, v in props.items() if k in required},
        optional={k: _value_for(v) for k, v in props.items() if k not in required})


_valid_call = st.sampled_from(sorted(SCHEMAS)).flatmap(
    lambda name: st.tuples(st.just(name), _args_for(SCHEMAS[name])))

_fragments = st.one_of(
    st.sampled_from(["<tool_call>", "</tool_call>", "```json", "```", "{", "}", '"name"', ":",
                     '"arguments"', ",", "[", "]", "\n", " ", "'", '"add"', '"ping"', "True"]),
    st.text(max_size=10),
    _json_value.map(json.dumps),
    _valid_call.map(lambda c: json.dumps({"name": c[0], "arguments": c[1]})),
)
_fuzz_text = st.one_of(st.text(), st.lists(_fragments, max_size=25).map("".join))


@settings(max_examples=1000, deadline=None)
@given(text=_fuzz_text)
def test_fuzz_never_raises_and_returns_valid_calls(text):
    res = parse_tool_calls(text, TOOLS)
    assert isinstance(res, ParseResult)
    assert isinstance(res.content, str)
    assert all(isinstance(e, str) for e in res.errors)
    assert not any(e.startswith("internal") for e in res.errors), res.errors
    for call in res.tool_calls:
        assert call.name in SCHEMAS
        assert _conforms(call.args, SCHEMAS[call.name]), call
    assert len({c.id for c in res.tool_calls}) == len(res.tool_calls)
    if not res.tool_calls:
        assert res.content == text.strip()  # nothing is removed unless a call was accepted


def _wrap(form, payload):
    body = json.dumps(payload)
    if form == "tag":
        return f"<tool_call>\n{body}\n</tool_call>"
    if form == "fence":
        return f"```json\n{body}\n```"
    return body


@settings(max_examples=1000, deadline=None)
@given(call=_valid_call, form=st.sampled_from(["tag", "fence", "bare"]),
       key=st.sampled_from(["arguments", "parameters", "args"]),
       as_list=st.booleans(), prefix=st.sampled_from(["", "Sure, calling it.\n", "ok "]))
def test_valid_calls_round_trip(call, form, key, as_list, prefix):
    name, args = call
    payload = {"name": name, key: args}
    if as_list and form != "bare":
        payload = [payload]
    res = parse_tool_calls(prefix + _wrap(form, payload), TOOLS)
    assert res.errors == []
    assert [(c.name, c.args) for c in res.tool_calls] == [(name, args)]
    assert res.content == prefix.strip()


# --- schema echo (seen on qwen2.5-coder-0.5b) ----------------------------------------------------
_ECHO_TOOLS = [
    {"type": "function", "function": {"name": "read", "parameters": {
        "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}},
    {"type": "function", "function": {"name": "next_record", "parameters": {"type": "object", "properties": {}}}},
]


def test_schema_echo_is_unwrapped_to_the_real_arguments():
    text = '{"name": "read", "arguments": {"properties": {"name": "Samor"}, "required": ["name"]}}'
    result = parse_tool_calls(text, _ECHO_TOOLS)
    assert [(c.name, c.args) for c in result.tool_calls] == [("read", {"name": "Samor"})]


def test_stray_schema_keywords_are_dropped_but_real_unknown_args_still_fail():
    ok = parse_tool_calls('{"name": "read", "arguments": {"name": "X", "type": "object"}}', _ECHO_TOOLS)
    assert ok.tool_calls[0].args == {"name": "X"}
    bad = parse_tool_calls('{"name": "read", "arguments": {"name": "X", "colour": "red"}}', _ECHO_TOOLS)
    assert not bad.tool_calls and "colour" in bad.errors[0]


def test_made_up_properties_for_a_tool_without_parameters_are_dropped():
    text = '{"name": "next_record", "arguments": {"properties": {"city": "x"}}}'
    assert parse_tool_calls(text, _ECHO_TOOLS).tool_calls[0].args == {}


def test_a_bare_call_that_never_closes_is_an_invalid_call_not_an_answer():
    """Seen on the 0.5B model (demo seeds 1 and 2, 2026-12-03): the first reply began a call to the
    tool and ran to the token limit inside made-up arguments; it was taken as the final answer and
    the run ended after one step. Now it is an invalid call (feedback and a retry)."""
    text = '{"name": "ping", "arguments": {"properties": {"city": {"description": "e.g. \'London\', \'Paris'
    result = parse_tool_calls(text, TOOLS)
    assert result.tool_calls == [] and len(result.errors) == 1
    assert "invalid JSON: the call to ping never closes" in result.errors[0]
    # an unknown name or plain prose with braces stays text
    assert parse_tool_calls('{"name": "teleport", "arguments": {', TOOLS).errors == []
    assert parse_tool_calls("Use {braces like this", TOOLS).errors == []
    # a complete call before a broken tail still counts
    assert one_call(parse_tool_calls('{"name": "ping", "arguments": {}}', TOOLS)).name == "ping"


def test_without_calls_removes_every_call_shape_and_keeps_data():
    call = '{"name": "lookup", "arguments": {"name": "Ana Lisk"}}'
    assert without_calls(f"Next: call {call}") == "Next: call "
    assert without_calls(f"a <tool_call>{call}</tool_call> b") == "a  b"
    assert without_calls(f'{call}\n{{"name": "lookup", "arguments": {{') == "\n"  # the cut-off one too
    data = 'Ana Lisk: {"name": "Ana Lisk", "city": "Olvesby"} and {"name": 3}'
    assert without_calls(data) == data
    nested = '{"steps": [{"name": "lookup", "arguments": {"name": "Ana"}}], "city": "Olvesby"}'
    assert without_calls(nested) == nested  # a call inside data is data: nothing after it is cut
    assert without_calls("") == ""
