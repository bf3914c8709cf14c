"""Fuzz of the agent's model-output -> tool-call path with hypothesis (no real model needed).

Generated replies mix malformed tool calls (unclosed or nested ``<tool_call>`` tags, truncated
JSON, Python literals), unknown tools, wrong argument types, missing and extra arguments, huge
strings, and valid calls, in every form the parser accepts (tags, fences, bare JSON).

- ``test_every_reply_becomes_valid_calls_or_named_errors`` (1000 replies): the chat model's reply
  path (``LocalChatModel._message``) and the graph's ToolNode never raise; each accepted call
  validates against its tool and gets exactly one ToolMessage (an error one names the problem);
  each rejected call has an error that names what was wrong, and the agent's feedback repeats it.
- ``test_fuzzed_runs_end_and_retries_are_bounded`` (1000 runs replaying 1-4 generated replies): the compiled
  graph on the tiny random model's tokenizer, with a scripted model replaying the generated
  replies, always ends without raising, within ``max_steps``, with at most ``MAX_PARSE_RETRIES``
  feedback messages in a row.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from sleep_agent import LocalChatModel, build_agent
from sleep_agent.graph.nodes import MAX_PARSE_RETRIES
from sleep_agent.graph.prompts import invalid_call_feedback
from sleep_agent_tools import calculator, make_workspace_tools


class FuzzToolError(RuntimeError):
    pass


def explode(reason: str) -> str:
    """Always fails (a user tool with a bug)."""
    raise FuzzToolError(f"exploded because {reason[:40]}")


def lookup(city: str, limit: int = 3, units: str = "metric", tags: list[str] | None = None) -> str:
    """Look a city up."""
    if units not in ("metric", "imperial"):
        raise ValueError(f"units must be metric or imperial, not {units!r}")
    return f"{city}: {limit} results ({units}, tags={tags or []})"


@pytest.fixture(scope="module")
def fuzz_tools(tmp_path_factory):
    ws = tmp_path_factory.mktemp("fuzz-ws")
    (ws / "notes.txt").write_text("hello\n")
    read_file = next(t for t in make_workspace_tools(ws) if t.name == "read_file")
    return [calculator, read_file, StructuredTool.from_function(explode), StructuredTool.from_function(lookup)]


@pytest.fixture(scope="module")
def tools_node(fuzz_tools):
    """The agent graph's tools node (``ToolNode(handle_tool_errors=True)``), alone in a graph."""
    g = StateGraph(MessagesState)
    g.add_node("tools", ToolNode(fuzz_tools, handle_tool_errors=True))
    g.add_edge(START, "tools")
    return g.compile()


# --- generated replies ----------------------------------------------------------------------------
NAMES = ["calculator", "read_file", "explode", "lookup", "Calculator", "read-file", "rm", "", "lookup "]
ARG_KEYS = ["expression", "path", "reason", "city", "limit", "units", "tags", "offset", "x", ""]
_huge = st.integers(5_000, 120_000).map(lambda n: "Z" * n)  # built, not drawn char by char: fast
_text = st.one_of(st.text(max_size=30), st.sampled_from(["2+2", "1/0", "9**9**9", "notes.txt", "../x",
                                                         "__import__('os')", "metric", "kelvin"]), _huge)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), _text)
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(ARG_KEYS), inner, max_size=3)), max_leaves=6)
_args = st.dictionaries(st.sampled_from(ARG_KEYS), _value, max_size=4)
_good = {  # arguments of the right shape (values may still fail inside the tool)
    "calculator": st.fixed_dictionaries({"expression": st.one_of(
        st.sampled_from(["2+2", "17*23", "1/0", "2**0.5", "foo", "9**9**9", "__import__('os')"]), _huge)}),
    "lookup": st.fixed_dictionaries({"city": st.one_of(st.text(min_size=1, max_size=10), _huge)}, optional={
        "limit": st.one_of(st.integers(-5, 50), st.sampled_from(["7", "7.0"])),
        "units": st.sampled_from(["metric", "kelvin"]), "tags": st.lists(st.text(max_size=5), max_size=3)}),
    "read_file": st.fixed_dictionaries({"path": st.sampled_from(
        ["notes.txt", "missing.txt", "../etc/passwd", "/etc/passwd", "a\x00b"])}),
    "explode": st.fixed_dictionaries({"reason": st.text(max_size=20)}),
}
_good_args = st.one_of(*_good.values())
_good_call = st.sampled_from(sorted(_good)).flatmap(lambda n: _good[n].map(lambda a: {"name": n, "arguments": a}))
_bad_call = st.one_of(
    st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)),
              st.sampled_from(["arguments", "parameters", "args"]), st.one_of(_args, _good_args))
    .map(lambda t: {"name": t[0], t[1]: t[2]}),
    _args.map(lambda a: {"arguments": a}),                              # no name
    st.tuples(_scalar, _args).map(lambda t: {"name": t[0], "arguments": t[1]}),  # name not a string
    st.tuples(st.sampled_from(NAMES), _value).map(lambda t: {"name": t[0], "arguments": t[1]}),  # args not an object
    st.tuples(st.sampled_from(NAMES), _args).map(                        # OpenAI wrapper
        lambda t: {"type": "function", "function": {"name": t[0], "arguments": json.dumps(t[1])}}),
)
_call = st.one_of(_good_call, _good_call, _bad_call)  # one_of picks branches evenly: 2/3 well-formed


def _broken(body: str, cut: int) -> str:
    return body[: max(0, min(len(body) - 1, cut))]  # truncated JSON


@st.composite
def replies(draw) -> str:
    call = draw(_call)
    body = json.dumps(call, allow_nan=True)
    form = draw(st.sampled_from(["tag", "fence", "bare", "unclosed", "nested", "truncated", "pylit",
                                 "list", "args_string", "text", "huge_text", "empty", "many"]))
    if form == "tag":
        out = f"<tool_call>\n{body}\n</tool_call>"
    elif form == "fence":
        out = f"```json\n{body}\n```"
    elif form == "bare":
        out = body
    elif form == "unclosed":
        out = f"<tool_call>\n{body}"
    elif form == "nested":
        out = f"<tool_call><tool_call>{body}</tool_call></tool_call>"
    elif form == "truncated":
        out = f"<tool_call>{_broken(body, draw(st.integers(0, 200)))}</tool_call>"
    elif form == "pylit":
        out = body.replace("true", "True").replace("null", "None").replace('"', "'")
    elif form == "list":
        out = f"```json\n[{body}, {json.dumps(draw(_call), allow_nan=True)}]\n```"
    elif form == "args_string":  # arguments as a JSON-encoded string, sometimes broken
        inner = json.dumps(draw(st.one_of(_args, _good_args)))
        out = json.dumps({"name": draw(st.sampled_from(NAMES)), "arguments": _broken(inner, draw(st.integers(0, 400)))})
    elif form == "text":
        out = draw(st.text(max_size=200))
    elif form == "huge_text":
        out = draw(_huge) + body
    elif form == "empty":
        out = draw(st.sampled_from(["", " ", "\n\n", "<tool_call></tool_call>", "```\n```", "{}", "[]"]))
    else:
        out = "\n".join(f"<tool_call>{json.dumps(draw(_call), allow_nan=True)}</tool_call>" for _ in range(3))
    prefix = draw(st.sampled_from(["", "Let me call it.\n", "{", "</tool_call>"]))
    return prefix + out


# Each rejected call is reported as "tool call N: <problem>", the problem in one of these words.
PROBLEM_WORDS = ("invalid JSON", "unknown tool", "missing required argument", "unexpected argument",
                 "expected", "is not one of", "arguments", "missing or non-string 'name'", "empty list")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=replies())
def test_every_reply_becomes_valid_calls_or_named_errors(text, fuzz_tools, tools_node):
    by_name = {t.name: t for t in fuzz_tools}
    schemas = [convert_to_openai_tool(t) for t in fuzz_tools]
    content, calls, invalid, _, meta = LocalChatModel(model_name="unused")._message(text, schemas, 0, 0)
    reply = AIMessage(content=content, tool_calls=calls, invalid_tool_calls=invalid, response_metadata=meta)
    event("accepted calls" if calls else "rejected calls only" if invalid else "plain text")

    for c in reply.tool_calls:
        assert c["name"] in by_name
        by_name[c["name"]].tool_call_schema.model_validate(c["args"])  # the parser's args fit the tool
    if reply.tool_calls:
        out = tools_node.invoke({"messages": [reply]})["messages"][1:]
        assert [m.tool_call_id for m in out] == [c["id"] for c in reply.tool_calls]
        for m, c in zip(out, reply.tool_calls):
            assert isinstance(m, ToolMessage) and isinstance(m.content, str) and m.content
            if c["name"] == "explode":  # the raising tool: an error message with the exception, no crash
                assert m.status == "error" and "exploded because" in m.content
            if m.status == "error":
                assert m.content.startswith("Error"), m.content[:200]

    for bad in reply.invalid_tool_calls:
        err = bad["error"]
        assert err.startswith("tool call ") and any(w in err for w in PROBLEM_WORDS), err
        assert not err.startswith("tool call 1: internal")
    if reply.invalid_tool_calls and not reply.tool_calls:
        problems = [b["error"] for b in reply.invalid_tool_calls]
        assert problems[0] in invalid_call_feedback(problems)  # what the model is told on retry
    if not reply.tool_calls and not reply.invalid_tool_calls:
        assert content == text.strip()  # plain text: a final answer, kept whole


# --- whole runs ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_graph(tiny_runtime, fuzz_tools, tmp_path_factory):
    from scripted_model import ScriptedChatModel

    llm = ScriptedChatModel.from_runtime(tiny_runtime)
    graph = build_agent(llm, fuzz_tools, memory="window", recall=False,
                        data_dir=tmp_path_factory.mktemp("fuzz-data")).compile()
    return graph, llm


MAX_STEPS = 6


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outputs=st.lists(replies(), min_size=1, max_size=4))
def test_fuzzed_runs_end_and_retries_are_bounded(outputs, fuzz_graph):
    graph, llm = fuzz_graph
    llm.script = lambda prompt, n: outputs[n % len(outputs)]
    llm.calls.clear()
    # Every node's update in order: the window itself may drop old turns, the updates keep them all.
    updates = [u for u in graph.stream({"messages": [HumanMessage("Do the task with the tools.")]},
                                       {"configurable": {"thread_id": "fuzz"}}, stream_mode="updates",
                                       context={"max_steps": MAX_STEPS, "context_budget": 4096})]
    agent = [u["agent"] for u in updates if "agent" in u]
    assert len(agent) == len(llm.calls) <= MAX_STEPS
    feedback_run = most = 0
    for k, (u, nxt) in enumerate(zip(updates, updates[1:] + [None])):
        if "agent" not in u:
            continue
        reply, *rest = u["agent"]["messages"]
        if reply.tool_calls:
            feedback_run = 0
            if nxt is not None:  # the calls run next, each answered once (an error names the problem)
                answers = nxt["tools"]["messages"]
                assert [m.tool_call_id for m in answers] == [c["id"] for c in reply.tool_calls]
                assert all(m.status != "error" or m.content.startswith("Error") for m in answers)
        elif rest:  # feedback on an unusable reply: names the problem, bounded in a row
            feedback_run += 1
            assert feedback_run <= MAX_PARSE_RETRIES, "more retries in a row than MAX_PARSE_RETRIES"
            most = max(most, feedback_run)
            problem = reply.invalid_tool_calls[0]["error"] if reply.invalid_tool_calls else "the reply was empty"
            assert isinstance(rest[0], HumanMessage) and problem in rest[0].content
        else:  # a final answer, or retries used up: the run ends here
            assert nxt is None
    event(f"{len(agent)} model replies, at most {most} retries in a row")
    final = agent[-1]["messages"][0]
    assert len(agent) == MAX_STEPS or not final.tool_calls  # never stops with calls left unrun
