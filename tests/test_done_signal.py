"""A tool that says it is done ends the tool loop (issue 21): after the demo archive's last record
(artifact ``{"done": true}``) the agent's next model call runs without tools, so the model answers.
On main before this, the demo's model kept calling ``next_record`` and slept over "No more records"
three more times. Scripted decoding on the tiny random model (plumbing only): the script always
asks for another record, so only the unbound tools can end the run."""

from __future__ import annotations

import json

from scripted_model import ScriptedChatModel
from sleep_agent import build_agent
from sleep_agent.graph.prompts import DONE_NOTE
from sleep_agent_tools import RecordArchive


def test_a_done_result_makes_the_next_call_answer_without_tools(tiny_runtime, tmp_path):
    archive = RecordArchive(seed=2, size=2)
    call = json.dumps({"name": "next_record", "arguments": {}})
    llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda prompt, n: call)
    graph = build_agent(llm, [archive.tool()], memory="window", data_dir=tmp_path,
                        settings={"context_budget": 4000}).compile()
    state = graph.invoke({"messages": [("user", "Read every record, then answer.")]},
                         {"configurable": {"thread_id": "done"}, "recursion_limit": 50}, context={"max_steps": 10})
    assert state["steps"] == 4 and state["tools_done"] is True
    assert [bool(c["tools"]) for c in llm.calls] == [True, True, True, False]
    # the note asks for the answer and restates the task (the 0.5B model echoed the bare note back)
    assert llm.calls[-1]["prompt"][-1].content == f"{DONE_NOTE}\n\nThe task: Read every record, then answer."
    assert not state["messages"][-1].tool_calls  # with no tools bound, its words are the answer
