"""LocalChatModel plumbing on a tiny random model, and real tool calling on the default model."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from sleep_agent import LocalChatModel
from sleep_agent.models.messages import to_template_dicts


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"sunny in {city}"


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression such as '17 * 23'."""
    return "391"


@tool
def lookup(entity: str, relation: str) -> str:
    """Look up a relation of an entity in the knowledge base, e.g. lookup('Zorblax', 'capital')."""
    return "unknown"


CONVERSATION = [
    SystemMessage("You are a helpful assistant."),
    HumanMessage("What is 17 * 23?"),
    AIMessage("", tool_calls=[{"name": "calculator", "args": {"expression": "17 * 23"}, "id": "c1"}]),
    ToolMessage("391", tool_call_id="c1", name="calculator"),
    AIMessage("17 * 23 = 391."),
    HumanMessage("Thanks!"),
]


@pytest.fixture
def tiny_llm(tiny_runtime):
    return LocalChatModel.from_runtime(tiny_runtime, max_new_tokens=12)


def test_token_count_matches_tokenizer_on_rendered_prompt(tiny_llm, tiny_runtime):
    tools = [get_weather, calculator]
    n = tiny_llm.get_num_tokens_from_messages(CONVERSATION, tools=tools)
    from langchain_core.utils.function_calling import convert_to_openai_tool

    rendered = tiny_runtime.tokenizer.apply_chat_template(
        to_template_dicts(CONVERSATION), tools=[convert_to_openai_tool(t) for t in tools],
        add_generation_prompt=True, tokenize=False)
    assert "calculator" in rendered and "<tool_response>" in rendered and "get_weather" in rendered
    assert n == len(tiny_runtime.tokenizer(rendered, add_special_tokens=False)["input_ids"])
    # Tool schemas count: the same conversation without tools is shorter.
    assert tiny_llm.get_num_tokens_from_messages(CONVERSATION) < n


def test_invoke_reports_usage_and_is_greedy_reproducible(tiny_llm):
    a = tiny_llm.invoke("Hello there")
    b = tiny_llm.invoke("Hello there")
    assert isinstance(a, AIMessage) and a.content == b.content
    assert a.usage_metadata["output_tokens"] <= 12
    assert a.usage_metadata["input_tokens"] == tiny_llm.get_num_tokens_from_messages([HumanMessage("Hello there")])


def test_stream_yields_several_chunks_that_add_up_to_invoke(tiny_llm):
    chunks = list(tiny_llm.stream("Tell me a story"))
    assert len(chunks) >= 2
    merged = chunks[0]
    for c in chunks[1:]:
        merged += c
    assert merged.content.strip() == tiny_llm.invoke("Tell me a story").content.strip()


async def test_async_invoke_and_stream_do_not_block_the_loop(tiny_llm):
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    t = asyncio.create_task(ticker())
    msg = await tiny_llm.ainvoke("Hi")
    chunks = [c async for c in tiny_llm.astream("Hi")]
    t.cancel()
    assert isinstance(msg, AIMessage) and chunks
    assert ticks > 0, "the event loop was blocked during generation"


def test_sampling_is_settable_and_seeded(tiny_runtime):
    llm = LocalChatModel.from_runtime(tiny_runtime, max_new_tokens=10, temperature=1.5, seed=7)
    assert llm.invoke("x").content == llm.invoke("x").content
    other = LocalChatModel.from_runtime(tiny_runtime, max_new_tokens=10, temperature=1.5, seed=8)
    outs = {other.invoke("x").content, llm.invoke("x").content}
    assert len(outs) == 2


TOOL_PROMPTS = [
    ("What's the weather in Paris right now?", "get_weather", "city", "paris"),
    ("Use the calculator to compute 1234 * 5678.", "calculator", "expression", "1234"),
    ("Look up the capital of Zorblax in the knowledge base.", "lookup", "entity", "zorblax"),
    ("Is it raining in Oslo? Check the weather.", "get_weather", "city", "oslo"),
    ("What is (17 + 4) * 3? Use the calculator tool.", "calculator", "expression", "17"),
    ("Find out what relation 'founder' of Quibbly Corp is with lookup.", "lookup", "entity", "quibbly"),
]
SCHEMA_KEYS = {"get_weather": {"city"}, "calculator": {"expression"}, "lookup": {"entity", "relation"}}


@pytest.mark.slow
def test_default_model_makes_valid_tool_calls(qwen_runtime):
    """Real tool calling on qwen2.5-coder-0.5b: at least 5 of 6 prompts give the right, valid call.

    (One miss is tolerated: the 0.5B model sometimes leaks a schema key such as ``"type"`` into the
    arguments; the parser rejects that call and reports it in ``invalid_tool_calls``.)"""
    llm = LocalChatModel.from_runtime(qwen_runtime, max_new_tokens=96).bind_tools([get_weather, calculator, lookup])
    good, failures = 0, []
    for prompt, name, arg, expected in TOOL_PROMPTS:
        msg = llm.invoke(prompt)
        for call in msg.tool_calls:  # every returned call is schema-valid
            assert set(call["args"]) <= SCHEMA_KEYS[call["name"]]
            assert all(isinstance(v, str) for v in call["args"].values())
        ok = bool(msg.tool_calls) and msg.tool_calls[0]["name"] == name and \
            expected in str(msg.tool_calls[0]["args"].get(arg, "")).lower()
        good += ok
        if not ok:
            failures.append((prompt, msg.content, msg.invalid_tool_calls))
    assert good >= 5, f"only {good}/6 valid tool calls: {failures}"


@pytest.mark.slow
def test_default_model_streams_a_tool_call(qwen_runtime):
    llm = LocalChatModel.from_runtime(qwen_runtime, max_new_tokens=64).bind_tools([get_weather])
    chunks = list(llm.stream("What's the weather in Rome?"))
    merged = chunks[0]
    for c in chunks[1:]:
        merged += c
    assert [c["name"] for c in merged.tool_calls] == ["get_weather"]
    assert merged.tool_calls[0]["args"] == {"city": "Rome"}


def test_unparseable_tool_output_comes_back_as_content(tiny_runtime):
    """The chat model maps parser problems into invalid_tool_calls without raising."""
    llm = LocalChatModel.from_runtime(tiny_runtime)
    content, calls, invalid, _, meta = llm._message(
        '<tool_call>{"name": "get_weather", "arguments": {"city": </tool_call>',
        [__import__("langchain_core.utils.function_calling", fromlist=["x"]).convert_to_openai_tool(get_weather)],
        1, 1)
    assert calls == [] and invalid and "invalid JSON" in meta["tool_call_errors"][0]
    assert "get_weather" in content


def test_shared_prefix_is_encoded_once_and_keeps_each_rows_tokens():
    # the helper that decides how much of a batch's prompts is encoded once (LocalRuntime.generate_batch_ends)
    from sleep_agent.models.runtime import _common_prefix

    assert _common_prefix([[1, 2, 3, 4], [1, 2, 3, 9, 9], [1, 2, 7]]) == 2
    assert _common_prefix([[1, 2, 3], [1, 2, 3]]) == 2  # each row keeps one token to feed the generation
    assert _common_prefix([[5], [5, 6]]) == 0


@pytest.mark.slow
def test_replies_with_the_shared_prefix_cache_equal_those_without(qwen_runtime, monkeypatch):
    import sleep_agent.models.runtime as runtime_module
    from sleep_agent.scoring import first_sentence_done

    context = " ".join(f"Record {i}: Person {i} lives in Town{i} and works as smith {i}." for i in range(30))
    questions = ["Where does Person 3 live?", "What is the job of Person 7?", "Who lives in Town5?", "Hi?"]
    prompts = [qwen_runtime.render([{"role": "system", "content": "You are a helpful assistant."},
                                    {"role": "user", "content": f"Earlier:\n{context}\n\n{q}"}]) for q in questions]
    cached = qwen_runtime.generate_batch_ends(prompts, max_new_tokens=16, done=first_sentence_done)
    monkeypatch.setattr(runtime_module, "SHARED_PREFIX_TOKENS", 10**9)  # every row encodes its whole prompt
    plain = qwen_runtime.generate_batch_ends(prompts, max_new_tokens=16, done=first_sentence_done)
    assert cached == plain
    assert "Town3" in cached[0][0]
