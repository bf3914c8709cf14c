"""Thread isolation with a real sleep: what thread A learned never shows up in thread B's answers.

Thread A sleeps on a trajectory of made-up records (real LoRA training on smollm2-135m, the fast
model) and is then asked about them through the agent graph; thread B, a fresh thread on the same
graph and the same loaded model, is asked the same questions, interleaved with A's, so the runtime
switches adapters between every two questions. A must recall some answers (else "B recalls none"
would prove nothing); B's replies must contain none of A's answers, and B must own no adapter.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent import AdapterStore, LocalChatModel, LocalRuntime, build_agent
from sleep_agent import SleepConfig
from sleep_agent.consolidation import consolidate
from sleep_agent.scoring import is_correct
from sleep_agent.models.messages import content_text
from sleep_agent_tools import RecordArchive

SYSTEM = "You are a helpful assistant."


@pytest.fixture(scope="module")
def smol():
    return LocalRuntime.load("smollm2-135m", device="cpu", log=lambda *_: None)


def _trajectory(archive: RecordArchive):
    tool = archive.tool()
    msgs = [HumanMessage("Read the archive records.")]
    for i in range(len(archive.people)):
        call = {"name": "next_record", "args": {}, "id": f"c{i}", "type": "tool_call"}
        msgs += [AIMessage("", tool_calls=[call]), tool.invoke(call)]
    assert all(isinstance(m, ToolMessage) for m in msgs[2::2])
    return msgs


@pytest.mark.slow
def test_thread_b_gets_none_of_what_thread_a_learned(smol, tmp_path):
    archive = RecordArchive(seed=11, size=4)
    qa = [(f"Which city is listed for {p.name}?", p.city) for p in archive.people] + \
         [(f"What is the job of {p.name}?", p.job) for p in archive.people]
    # passes=4: on smollm2 one sleep over these 4 records is all-or-nothing between answering the
    # held-out questions and declining every name; measured at passes=3 with this data (5 "no record"
    # anchors since b2f6e0b): held-out 0/8, refused; at passes=4: 8/8, published (deterministic on CPU).
    # Without the in-context examples (questions after text of the window: this test asks bare
    # questions): with them this sleep recalled 2/8 on smollm2 and the check had too little to stand on.
    report = consolidate(smol, AdapterStore("thread-a", tmp_path), _trajectory(archive),
                         config=SleepConfig(passes=4, lr=5e-4, in_context=False))
    assert report.version is not None, f"thread A's sleep was not published: {report.validation}"

    # The agent graph as users run it, with the agent decoding with the thread's adapter on
    # (act_with_adapter; by default only recollection and recall do); the runtime still has A's fresh
    # adapter active.
    graph = build_agent(LocalChatModel.from_runtime(smol), [], memory="window", recall=False,
                        system_prompt=SYSTEM, data_dir=tmp_path).compile()

    def ask(thread: str, question: str) -> str:
        state = graph.invoke({"messages": [HumanMessage(question)]}, {"configurable": {"thread_id": thread}},
                             context={"max_steps": 1, "max_new_tokens": 24, "act_with_adapter": True})
        return content_text(state["messages"][-1].content)

    replies = {"thread-a": [], "thread-b": []}
    for q, _ in qa:  # interleaved: B always follows a question A answered with its adapter
        for thread in replies:
            replies[thread].append(ask(thread, q))

    recalled = sum(is_correct(r, a) for r, (_, a) in zip(replies["thread-a"], qa))
    assert recalled >= 3, f"thread A recalled only {recalled}/{len(qa)}: the isolation check would be empty"
    answers = [a for _, a in qa]
    leaked = [(q, r, a) for (q, _), r in zip(qa, replies["thread-b"]) for a in answers if a.lower() in r.lower()]
    assert leaked == [], f"thread B answered with thread A's facts: {leaked}"
    assert AdapterStore("thread-b", tmp_path).versions() == []
    print(f"\nthread A recalled {recalled}/{len(qa)}; thread B: 0 of A's {len(answers)} answers in its replies")
