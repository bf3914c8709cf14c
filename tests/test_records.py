"""The demo's record archive: seeded, read in order, once each, plain text, done at the end."""

from langchain_core.messages import AIMessage, ToolMessage

from sleep_agent.consolidation import extract_facts
from sleep_agent_tools import RecordArchive


def test_archive_is_seeded_and_reads_each_record_once():
    a, b = RecordArchive(seed=3, size=4), RecordArchive(seed=3, size=4)
    assert a.people == b.people and len({p.name for p in a.people}) == 4
    texts = [a.next_record() for _ in range(5)]
    assert [p.name in t[0] for t, p in zip(texts[:4], a.people)] == [True] * 4
    assert all(t[1] is None for t in texts[:4])  # plain text: no side channel for the sleep
    assert "No more records" in texts[4][0] and texts[4][1] == {"done": True}


def test_plain_text_results_become_facts():
    archive = RecordArchive(seed=1, size=2)
    tool = archive.tool()
    msg = tool.invoke({"type": "tool_call", "name": "next_record", "args": {}, "id": "c1"})
    assert isinstance(msg, ToolMessage) and msg.artifact is None
    facts = extract_facts([AIMessage("", tool_calls=[{"name": "next_record", "args": {}, "id": "c1"}]), msg])
    person = archive.people[0]
    assert {(f.subject, f.relation, f.answer) for f in facts if f.kind == "attribute"} == {
        (person.name, "city", person.city), (person.name, "job", person.job)}
