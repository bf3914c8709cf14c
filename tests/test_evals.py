"""The eval harness: task files (errors name line and field), answer checks, families, and the runner's
plumbing - every memory, resumable JSON Lines, report and plots - on the tiny random Qwen2 (its
accuracies mean nothing; the smoke suite on a real model is in test_eval_smoke)."""

from __future__ import annotations

import json

import pytest

from sleep_agent_evals import EvalQuestion, TaskFileError, check_answer, load_tasks, read_results, run_eval, suite, write_report
from sleep_agent_evals.families import multihop, recall, state, updates

GOOD = {"id": "t1", "messages": [
    {"role": "user", "content": "Look up Ana."},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "lookup", "args": {"name": "Ana"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "{\"name\": \"Ana\", \"city\": \"Tarnwick\"}"}],
    "questions": [{"question": "Which city is listed for Ana?", "answer": "Tarnwick"}]}


def _write(tmp_path, *rows) -> str:
    p = tmp_path / "tasks.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return str(p)


def test_a_valid_task_file_loads(tmp_path):
    (task,) = load_tasks(_write(tmp_path, GOOD))
    assert task.id == "t1" and task.messages[2].artifact == {"name": "Ana", "city": "Tarnwick"}
    assert task.questions[0].check == "contains" and task.questions[0].checkpoints == ()
    (task,) = load_tasks(_write(tmp_path, {**GOOD, "budget": 512, "questions": [
        {**GOOD["questions"][0], "checkpoints": [4, 2, 2]}]}))
    assert task.meta["budget"] == 512 and task.questions[0].checkpoints == (2, 4)
    assert load_tasks(_write(tmp_path, task.to_json()))[0].to_json() == task.to_json()  # round trip


@pytest.mark.parametrize("bad,where", [
    ("{not json", ":2: not valid JSON"),
    ({**GOOD, "id": ""}, ":2: field 'id'"),
    ({**GOOD, "id": "t1"}, ":2: field 'id' 't1' repeats"),
    ({**GOOD, "id": "t2", "messages": []}, ":2: field 'messages'"),
    ({**GOOD, "id": "t2", "questions": [{"question": "Q?"}]}, ":2: questions[0].answer"),
    ({**GOOD, "id": "t2", "questions": [{"question": "Q?", "answer": "A", "check": "fuzzy"}]}, "questions[0].check"),
    ({**GOOD, "id": "t2", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
    ({**GOOD, "id": "t2", "questions": [{"question": "Q?", "answer": "A", "checkpoints": [2, 0]}]},
     "questions[0].checkpoints"),
    ({**GOOD, "id": "t2", "budget": 100}, ":2: field 'budget'"),
    ({**GOOD, "id": "t2", "messages": GOOD["messages"][:1] + [{"role": "tool", "tool_call_id": "zz", "content": "x"}]},
     "messages[1].tool_call_id 'zz' answers no tool call"),
])
def test_invalid_task_files_name_the_line_and_field(tmp_path, bad, where):
    with pytest.raises(TaskFileError, match=where.replace("[", r"\[").replace("]", r"\]")):
        load_tasks(_write(tmp_path, GOOD, bad))


def test_answer_checks():
    assert check_answer("The city of Ana is Tarnwick.", EvalQuestion("q", "Tarnwick"))
    assert check_answer("tarnwick.", EvalQuestion("q", "Tarnwick", check="exact"))
    assert not check_answer("It is Tarnwick.", EvalQuestion("q", "Tarnwick", check="exact"))
    assert check_answer("The level is 1,042 now", EvalQuestion("q", "1042", check="number"))
    assert not check_answer("The level is 14", EvalQuestion("q", "41", check="number"))
    assert not check_answer("Moved from Oldby to Newby", EvalQuestion("q", "Newby", wrong=("Oldby",)))
    assert check_answer("I have no record of Lena Marsh.", EvalQuestion("q", "", check="decline"))
    assert not check_answer('{"name": "lookup", "arguments": {"name": "Ana"}}', EvalQuestion("q", "Ana"))


def test_families_are_seeded_and_consistent():
    assert [t.to_json() for t in suite("smoke", 3)] == [t.to_json() for t in suite("smoke", 3)]
    assert suite("smoke", 3)[0].to_json() != suite("smoke", 4)[0].to_json()
    task = multihop(1, people=5)
    records = {m.artifact["name"]: m.artifact for m in task.messages if getattr(m, "artifact", None)}
    facts = [q for q in task.questions if q.check != "decline"]
    assert [q.style for q in facts] == ["template", "natural"] * (len(facts) // 2)  # each fact asked both ways
    for q in facts:  # walk the mentor graph to check the k-hop answers
        name = next(n for n in records if n in q.question)
        for _ in range(q.depth - 1):
            name = records[name]["mentor"]
        assert q.answer == records[name]["city"]
    unknown = [q for q in task.questions if q.check == "decline"]
    assert len(unknown) == 2 and not any(n in q.question for q in unknown for n in records)
    up = updates(2, people=4)
    assert sum(bool(q.wrong) for q in up.questions) == 4 and all(q.answer not in q.wrong for q in up.questions)


def test_families_cut_a_suite_and_a_bad_choice_is_named(tmp_path, capsys):
    from sleep_agent.cli import main
    from sleep_agent_evals import TaskChoiceError, select_tasks

    tasks_for_seed, budget = select_tasks(suite_name="small", families=["updates", "multihop"])
    whole, _ = select_tasks(suite_name="small")
    assert [t.family for t in tasks_for_seed(1)] == ["multihop", "updates"]  # the suite's order, same tasks
    assert [t.to_json() for t in tasks_for_seed(1)] == [t.to_json() for t in whole(1)
                                                        if t.family in ("multihop", "updates")]
    with pytest.raises(TaskChoiceError, match="unknown family mulithop: choose from multihop"):
        select_tasks(suite_name="small", families=["mulithop"])
    with pytest.raises(TaskChoiceError, match="--families"):
        select_tasks(tasks_file=_write(tmp_path, GOOD), families=["state"])
    # the CLI says so before loading a model, and writes nothing
    assert main(["eval", "--suite", "small", "--families", "sate", "--out", str(tmp_path / "o")]) == 2
    assert "unknown family sate" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_runner_runs_every_memory_resumes_and_reports(tiny_runtime, tmp_path):
    tasks = lambda seed: [multihop(seed, people=4), state(seed, counters=2, updates=3)]  # noqa: E731  fast
    strategies = ["sleep", "vector", "vector+notes", "summary", "window", "full", "floor"]
    rows = run_eval(tiny_runtime, tasks, strategies=strategies, passes=[1], seeds=[0], out=tmp_path, budget=384,
                    model="tiny-random")
    runs = {r["run"] for r in rows}
    assert len(runs) == 2 * len(strategies)
    assert {r["strategy"] for r in rows} == set(strategies)
    assert all(r["sleeps"] >= 1 for r in rows if r["strategy"] == "sleep")  # the budget overflowed
    # every sleep's verdict is on record (issue 22); the tiny random model answers no new fact back,
    # so validation refuses each of its sleeps, with the reason
    firsts = [r for r in rows if r["strategy"] == "sleep" and r["sleep_verdicts"] is not None]
    assert len(firsts) == 2 and all(len(r["sleep_verdicts"]) == r["sleeps"] == r["sleeps_refused"] for r in firsts)
    assert all(v["verdict"] == "refused" and v["reasons"] for r in firsts for v in r["sleep_verdicts"])
    assert all(r["evictions"] > 0 for r in rows if r["strategy"] in ("vector", "summary", "window"))
    assert all(r["evictions"] == 0 for r in rows if r["strategy"] == "full")
    floor = [r for r in rows if r["strategy"] == "floor"]
    assert max(r["tokens_in_context"] for r in floor) < min(r["tokens_in_context"] for r in rows
                                                             if r["strategy"] == "full")
    again = run_eval(tiny_runtime, tasks, strategies=strategies, passes=[1], seeds=[0], out=tmp_path, budget=384,
                     model="tiny-random")
    assert len(again) == len(rows)  # nothing re-run
    summary = write_report(read_results(tmp_path), tmp_path, "test")
    assert "sleep N=1" in summary and "floor" in summary
    sleeps = sum(r["sleeps"] for r in firsts)
    assert f"| {sleeps} of {sleeps} |" in (tmp_path / "report.md").read_text()  # the refused-sleeps column
    for f in ("report.md", "accuracy_vs_passes.png", "accuracy_by_family.png", "cost_per_step.png"):
        assert (tmp_path / f).stat().st_size > 0


def test_a_rerun_starts_from_an_empty_thread_folder(tiny_runtime, tmp_path):
    # An interrupted run leaves its thread folder (adapters, trajectory) but no rows; resuming once reused
    # its adapters, and the rerun scored what the first try had learned.
    tasks = lambda seed: [multihop(seed, people=4)]  # noqa: E731
    left = tmp_path / "data" / "threads" / f"{tasks(0)[0].id}-window-0-0" / "adapters"
    left.mkdir(parents=True)
    (left / "HEAD").write_text("v0003")
    logged = []
    rows = run_eval(tiny_runtime, tasks, strategies=["window"], passes=[1], seeds=[0], out=tmp_path, budget=384,
                    model="tiny-random", log=logged.append)
    assert rows and not (left / "HEAD").exists()
    assert any("interrupted run: removed" in line for line in logged)
    # a finished run's folder is its record: a second call keeps it (window writes none; make one)
    left.parent.mkdir(parents=True, exist_ok=True)
    (left.parent / "kept").write_text("x")
    run_eval(tiny_runtime, tasks, strategies=["window"], passes=[1], seeds=[0], out=tmp_path, budget=384,
             model="tiny-random")
    assert (left.parent / "kept").exists()


def test_checkpoint_questions_are_asked_after_each_listed_overflow(tiny_runtime, tmp_path):
    task = recall(0, windows=6, people=2, checkpoints=(1, 2, 99))
    task.meta["budget"] = 256  # the task's own budget wins over the run's
    tasks = lambda seed: [task]  # noqa: E731
    rows = run_eval(tiny_runtime, tasks, strategies=["sleep", "window", "full"], passes=[1], seeds=[0],
                    out=tmp_path, budget=2048, model="tiny-random")
    assert {r["budget"] for r in rows} == {256}
    by = {s: [r for r in rows if r["strategy"] == s] for s in ("sleep", "window", "full")}
    assert by["sleep"][0]["sleeps"] >= 2
    # 2 first-window people, each asked templated and naturally, at overflows 1 and 2 (99 never comes);
    # then, at the end, those 4 and the 2 never-seen names
    for s in ("sleep", "window"):
        assert [r["after_overflows"] for r in by[s]] == [1] * 4 + [2] * 4 + [None] * 6
    assert [r["after_overflows"] for r in by["full"]] == [None] * 6  # full never evicts
    summary = write_report(rows, tmp_path, "test")
    assert summary["window"]["runs"] == 1 and summary["sleep N=1"]["overall"] == _mean_final(by["sleep"])
    report = (tmp_path / "report.md").read_text()
    assert "after overflow 2" in report and (tmp_path / "recall_vs_sleeps.png").stat().st_size > 0


def _mean_final(rows):
    final = [r["correct"] for r in rows if r["after_overflows"] is None and r["check"] != "decline"]
    return round(sum(final) / len(final), 3)


def test_the_answering_prompt_ends_in_the_question_not_in_tool_turns(tiny_runtime):
    """The window is shown as text above the question: rendered, the prompt's last user turn holds
    the question after the transcript, and no tool turn follows it."""
    from sleep_agent.consolidation import with_context
    from sleep_agent.models.messages import transcript

    task = multihop(0, people=2)
    text = transcript(task.messages)
    assert "Assistant called lookup(" in text and "Result of lookup: {" in text
    question = task.questions[0].question
    turn = with_context(question, text)
    assert turn.startswith("Earlier in this task:\nUser: Look up") and turn.endswith(question)
    rendered = tiny_runtime.render([{"role": "system", "content": "s"}, {"role": "user", "content": turn}])
    assert rendered.rindex(question) > rendered.rindex("Result of lookup")
    assert "<tool_response>" not in rendered and "tool_call" not in rendered.split(question)[-1]


def test_the_sleep_reads_back_what_its_adapter_recalled(tiny_runtime, monkeypatch):
    """A sleep row's reply is the base model's answer with the adapter's recall, and the graph's
    recollection for the question (the memory's ``prepare``), as a recollection block, as the graph's
    agent reads it; a decline and a reply the gate gave the base model stand when nothing was
    recollected. The memory is a stand-in (the tiny model's sleeps are all refused): the path under
    test is what answer_task does with its replies; the prompts are read off the real runtime."""
    from types import SimpleNamespace

    from sleep_agent.consolidation import Reply
    from sleep_agent_evals.answering import answer_task

    recalled = [Reply("On 8 May, 2023, Jon said: I lost my job as a banker yesterday."),
                Reply("I have no record of it."), Reply("Paris is the capital of France.")]
    recalled[0].from_adapter = recalled[1].from_adapter = True  # the third: the gate sent it to the base model
    task = multihop(0, people=2)
    studio = "On 9 May, 2023, Jon said: I will open a dance studio."

    class Memory:
        def recall(self, questions, ctx, *, context="", max_new_tokens=0):
            return recalled[:len(questions)]

        def prepare(self, state, ctx):  # the graph's recollection: keys the latest turn names
            asked = state["messages"][-1].content
            lines = [str(recalled[0]), studio] if asked == task.questions[0].question else []
            return {"recollection": {"version": 3, "entities": [], "lines": lines}}

    ctx = SimpleNamespace(thread=SimpleNamespace(latest=lambda: SimpleNamespace(version=3), activate=lambda rt: None))
    seen, generate = [], tiny_runtime.generate_batch_ends
    monkeypatch.setattr(tiny_runtime, "generate_batch_ends", lambda prompts, **kw: seen.append(list(prompts)) or generate(prompts, **kw))
    items = answer_task(tiny_runtime, task, "sleep", Memory(), ctx, {"messages": task.messages}, questions=task.questions[:3])
    assert len(seen) == 1 and len(seen[0]) == 1  # only the question with lines is read back
    assert "adapter v3" in seen[0][0] and "Jon said: I lost my job as a banker" in seen[0][0] and studio in seen[0][0]
    assert seen[0][0].count("as a banker") == 1  # the recall and the recollection's same line: once
    assert seen[0][0].rindex(task.questions[0].question) > seen[0][0].rindex(studio)  # the question comes last
    assert [it["recalled"] for it in items] == [str(r) for r in recalled]
    assert [it["recollected"] for it in items] == [[str(recalled[0]), studio], [], []]
    assert [it["reply"] for it in items[1:]] == [str(r) for r in recalled[1:]]
