"""memory list / rollback / forget without a model: facts read back from stored versions, rollback and
its compare-and-swap, what a forget refuses, and the redaction of checkpoint, vector store and
trajectory files (fast; the rebuild itself is tested on a real sleep in test_memory_admin.py)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from test_adapter_store import fake_writer

from sleep_agent.adapters import AdapterConflictError, SleepInProgressError, Thread
from sleep_agent.cli import main
from sleep_agent.consolidation.engine import FACTS_FILE, SLEEP_DATA_FILE
from sleep_agent.graph import read_trajectory, sqlite_checkpointer
from sleep_agent.graph.trajectory import write_trajectory
from sleep_agent.memory_admin import (MARKER, NothingToForgetError, forget, known_facts, plan_forget, redact,
                                      rollback)
from sleep_agent.memory_admin.redact import redact_checkpoint, redact_trajectories


def _fact(subject, relation, answer):
    return {"kind": "attribute", "subject": subject, "relation": relation, "answer": answer,
            "source": f"lookup(name='{subject}')", "stale": [], "questions": []}


def _example(subject, relation, answer, part="probe"):
    return {"question": f"What is the {relation} of {subject}?", "answer": f"The {relation} of {subject} is {answer}.",
            "part": part, "conversation": "", "subject": subject, "relation": relation}


def _publish(thread, facts, history, *, verdicts=(), forms=None):
    def write(d):
        fake_writer(str(len(history)))(d)
        (d / FACTS_FILE).write_text("".join(json.dumps(f) + "\n" for f in facts))
        (d / SLEEP_DATA_FILE).write_text("".join(json.dumps(e) + "\n" for e in history))
    per_fact = [{"subject": s, "relation": r, "question": "?", "right": ok} for s, r, ok in verdicts]
    return thread.store.publish(write, {"validation": {"heldout": 0.5, "per_fact": per_fact},
                                        "trajectory_span": [1, 9],
                                        "self_study": {"rephrase": {"forms": forms}} if forms else None})


@pytest.fixture
def thread(tmp_path):
    t = Thread("admin", tmp_path)
    h1 = [_example("Ana Reyes", "city", "Olvesby"), _example("Bo Lind", "city", "Tarnwick")]
    _publish(t, [_fact("Ana Reyes", "city", "Olvesby"), _fact("Bo Lind", "city", "Tarnwick")], h1,
             verdicts=[("Ana Reyes", "city", True), ("Bo Lind", "city", False)])
    h2 = h1[1:] + [_example("Ana Reyes", "city", "Kelby"), _example("Cy Moor", "job", "baker")]
    _publish(t, [_fact("Ana Reyes", "city", "Kelby"), _fact("Cy Moor", "job", "baker")], h2)
    return t


def test_list_shows_each_fact_with_its_sleep_source_verdict_and_replacement(thread):
    facts = {(f.subject, f.answer): f for f in known_facts(thread)}
    assert set(facts) == {("Ana Reyes", "Olvesby"), ("Bo Lind", "Tarnwick"), ("Ana Reyes", "Kelby"), ("Cy Moor", "baker")}
    old, new = facts[("Ana Reyes", "Olvesby")], facts[("Ana Reyes", "Kelby")]
    assert (old.version, old.replaced_by, old.recall_at_validation) == (1, 2, True)
    assert (new.version, new.replaced_by, new.recall_at_validation) == (2, None, None)  # not asked at validation
    assert facts[("Bo Lind", "Tarnwick")].recall_at_validation is False
    assert old.source == "lookup(name='Ana Reyes')" and old.trajectory_span == [1, 9]
    assert all(f.live for f in facts.values())


def test_rollback_makes_an_earlier_version_live_and_is_recorded(thread, tmp_path):
    done = rollback(thread, 1)
    assert (done["from"], done["to"]) == (2, 1) and thread.store.latest().version == 1
    live = {(f.subject, f.answer): f.live for f in known_facts(thread)}
    assert live[("Ana Reyes", "Olvesby")] and not live[("Cy Moor", "baker")]  # v2 is kept, not live
    assert [(e["event"], e["from"], e["to"]) for e in thread.store.event_log()] == [("rollback", 2, 1)]
    with pytest.raises(FileNotFoundError, match="v0009"):
        rollback(thread, 9)
    assert thread.store.latest().version == 1  # a failed rollback changes nothing


def test_a_sleep_that_trained_on_the_old_version_does_not_publish_over_a_rollback(thread):
    thread.store.rollback(1)
    with pytest.raises(AdapterConflictError, match="changed from v0002 to v0001"):
        thread.store.publish(fake_writer("late"), {}, parent=2)  # the sleep started from v0002
    assert thread.store.latest().version == 1 and thread.store.versions() == [1, 2]
    assert thread.store.publish(fake_writer("ok"), {}, parent=1).version == 3


def test_forget_refuses_what_matches_nothing_and_a_running_sleep(thread):
    with pytest.raises(NothingToForgetError, match="nothing that mentions 'Dee Park'"):
        plan_forget(thread, "Dee Park")
    with pytest.raises(NothingToForgetError):
        plan_forget(thread, "Reye")  # whole words: a part of a name matches nothing
    with thread.store.sleeping(), pytest.raises(SleepInProgressError, match="a sleep is running"):
        forget(None, thread, "Cy Moor")  # refused before any model is touched
    assert thread.store.latest().version == 2


def test_plan_names_the_facts_examples_and_versions_holding_the_text(thread):
    plan = plan_forget(thread, "ana reyes")  # case aside
    assert sorted(f.answer for f in plan.facts) == ["Kelby", "Olvesby"]
    assert (plan.examples, plan.kept_examples, plan.versions) == (1, 2, [1, 2])


def test_the_rebuild_asks_its_no_record_anchors_in_every_version_s_forms_without(tmp_path):
    from sleep_agent.consolidation.dataset import SleepExample
    from sleep_agent.memory_admin.forget import _rebuild_data, forms_without

    t = Thread("forms", tmp_path)
    h = [_example("Ana Reyes", "city", "Olvesby"), _example("Cy Moor", "job", "baker")]
    _publish(t, [], h[:1], forms={"city": ["Where does {subject} live?", "Which town is {subject} in?"]})
    _publish(t, [], h, forms={"city": ["Where does {subject} live?"], "job": ["What does {subject} do for Olvesby?"]})
    assert forms_without(t) == {"city": ["Where does {subject} live?", "Which town is {subject} in?"],
                                  "job": ["What does {subject} do for Olvesby?"]}
    forms = forms_without(t, "Olvesby")  # a form naming the forgotten text is not asked
    assert forms == {"city": ["Where does {subject} live?", "Which town is {subject} in?"]}
    kept = [SleepExample(**{k: v for k, v in e.items()}) for e in h]
    examples, *_ = _rebuild_data(kept * 20, seed=0, forms=forms)
    asked = {e.question for e in examples if e.part == "unknown"}
    assert any(q.startswith("Where does ") and q.endswith(" live?") for q in asked)
    examples, *_ = _rebuild_data(kept * 20, seed=0, forms={})
    assert not any(" live?" in e.question for e in examples if e.part == "unknown")


def test_redaction_of_checkpoint_and_trajectory_files(thread, tmp_path):
    msgs = [HumanMessage("Read the records."),
            AIMessage("", tool_calls=[{"name": "lookup", "args": {"name": "Cy Moor"}, "id": "c1", "type": "tool_call"}]),
            ToolMessage("Cy Moor works as a baker.", tool_call_id="c1")]
    thread.trajectory_dir.mkdir(parents=True)
    write_trajectory(thread.trajectory_dir, 1, msgs)
    saver = sqlite_checkpointer(tmp_path / "cp.sqlite")
    from langgraph.checkpoint.base import empty_checkpoint
    cp = {**empty_checkpoint(), "channel_values": {"messages": msgs, "consolidated_calls": ["lookup(name='Cy Moor')",
                                                                                           "lookup(name='Bo Lind')"]},
          "channel_versions": {"messages": 1, "consolidated_calls": 1}}
    saver.put({"configurable": {"thread_id": "admin", "checkpoint_ns": ""}}, cp, {"step": 3}, {})
    assert redact_checkpoint(saver, "admin", "Cy Moor")  # no purge: only the consolidated-calls record
    values = saver.get_tuple({"configurable": {"thread_id": "admin"}}).checkpoint["channel_values"]
    assert values["consolidated_calls"] == ["lookup(name='Bo Lind')"] and "Cy Moor" in values["messages"][2].content
    assert redact_checkpoint(saver, "admin", "Cy Moor", purge=True)
    kept = list(saver.list({"configurable": {"thread_id": "admin"}}))
    assert len(kept) == 1  # the older checkpoints held the raw turns
    dumped = json.dumps([m.model_dump() for m in kept[0].checkpoint["channel_values"]["messages"]])
    assert "Cy Moor" not in dumped and MARKER in dumped
    assert redact_trajectories(thread, "Cy Moor") == 1
    text = json.dumps([m.model_dump() for m in read_trajectory(thread.trajectory_dir / "sleep-0001.jsonl")])
    assert "Cy Moor" not in text and "baker" in text
    assert redact("Cy  moor, Cyril Moore and cy moor.", "Cy Moor") == f"{MARKER}, Cyril Moore and {MARKER}."


def test_cli_errors_name_the_problem_and_change_nothing(thread, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SLEEP_AGENT_HOME", str(tmp_path))
    assert main(["memory", "rollback", "admin", "7"]) == 2
    assert "v0007" in capsys.readouterr().err
    assert main(["memory", "list", "nobody"]) == 2
    assert "thread 'nobody' has no adapter versions" in capsys.readouterr().err
    assert main(["memory", "forget", "admin", "Cy Moor"]) == 2  # stdin is not a terminal: not confirmed
    assert "pass --yes" in capsys.readouterr().err
    assert thread.store.latest().version == 2 and thread.store.versions() == [1, 2]
    assert main(["memory", "list", "admin", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["live_version"] == 2 and len(listed["facts"]) == 4


def test_a_rollback_during_a_sleep_is_not_undone_by_its_publish(tiny_runtime, tmp_path):
    # Plumbing on the tiny random model: the sleep trains from v0002, a rollback to v0001 lands
    # after its first pass; the finished sleep must refuse to publish rather than undo the rollback.
    from sleep_agent import SleepConfig
    from sleep_agent.consolidation import consolidate
    from sleep_agent_tools import RecordArchive

    thread, archive = Thread("cas", tmp_path), RecordArchive(seed=3, size=6)
    tool, config = archive.tool(), SleepConfig(passes=2, validate=False, self_study=0)

    def window(i):
        call = {"name": "next_record", "args": {}, "id": f"c{i}", "type": "tool_call"}
        return [HumanMessage("Read the records."), AIMessage("", tool_calls=[call]), tool.invoke(call)]

    for i in range(2):
        consolidate(tiny_runtime, thread.store, window(i), config=config)
    assert thread.store.latest().version == 2
    report = consolidate(tiny_runtime, thread.store, window(2), config=config,
                         on_pass=lambda n: n == 1 and thread.store.rollback(1))
    assert report.rejected and "changed from v0002 to v0001" in report.rejected[0]
    assert report.version == 1 and thread.store.latest().version == 1 and thread.store.versions() == [1, 2]
    assert tiny_runtime.adapter_path == str(thread.store.version_path(1))  # decodes with what is live
