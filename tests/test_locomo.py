"""LoCoMo in the eval harness (issue 22): the reader, the token-F1 scorer and the per-category report.

The conversation here is written for the test in LoCoMo's format (the real files are CC BY-NC and are
read in place by `sleep-agent eval --locomo`, never copied). Fast: no model."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from sleep_agent.scoring import token_f1
from sleep_agent_evals import TaskFileError
from sleep_agent_evals.locomo import PAGE_TURNS, TOOL, load_locomo
from sleep_agent_evals.report import category_table, summarize


def _conversation(tmp_path, **extra):
    turns1 = [{"speaker": "Mara" if i % 2 == 0 else "Teo", "dia_id": f"D1:{i + 1}", "text": f"Line {i + 1} of day one."}
              for i in range(PAGE_TURNS + 2)]  # two pages
    turns1[1]["text"] = "I adopted a greyhound called Pepper last week."
    turns2 = [{"speaker": "Mara", "dia_id": "D2:1", "text": "We went sailing near Kettle Point.",
               "img_url": ["http://example.invalid/p.jpg"], "blip_caption": "a small boat on a lake"}]
    turns3 = [{"speaker": "Teo", "dia_id": "D3:1", "text": "My sister moved to Lisbon."}]
    conv = {"speaker_a": "Mara", "speaker_b": "Teo",
            "session_1_date_time": "1:56 pm on 8 May, 2023", "session_1": turns1,
            "session_2_date_time": "3:10 pm on 20 May, 2023", "session_2": turns2,
            "session_3_date_time": "9:00 am on 2 June, 2023", "session_3": turns3}
    qa = [{"question": "What is the name of Teo's dog?", "answer": "Pepper", "evidence": ["D1:2"], "category": 4},
          {"question": "When did Mara go sailing?", "answer": "May 2023", "evidence": ["D2:1"], "category": 2},
          {"question": "What did they both do in May?", "answer": "adopted a dog, went sailing",
           "evidence": ["D1:2; D2:1"], "category": 1},
          {"question": "Where did Teo's sister move?", "answer": "Lisbon", "evidence": ["D3:1"], "category": 4},
          {"question": "What is Mara's cat called?", "adversarial_answer": "Pepper", "evidence": ["D1:2"],
           "category": 5},
          {"question": "Which season do they like?", "answer": "summer", "evidence": [], "category": 3}]
    path = tmp_path / "conv-test.json"
    path.write_text(json.dumps({**conv, "qa": qa, **extra}))
    return path


def test_a_conversation_becomes_pages_read_through_a_tool(tmp_path):
    task = load_locomo(_conversation(tmp_path))
    calls = [m for m in task.messages if isinstance(m, AIMessage)]
    pages = [m.content for m in task.messages if isinstance(m, ToolMessage)]
    assert [c.tool_calls[0]["args"] for c in calls] == [{"session": 1, "part": 1}, {"session": 1, "part": 2},
                                                        {"session": 2, "part": 1}, {"session": 3, "part": 1}]
    assert {c.tool_calls[0]["name"] for c in calls} == {TOOL}
    assert pages[0].startswith("Session 1 (1:56 pm on 8 May, 2023), part 1 of 2:\nMara: Line 1")
    assert "Teo: I adopted a greyhound called Pepper last week." in pages[0]
    assert "Mara: We went sailing near Kettle Point. [shares a photo: a small boat on a lake]" in pages[2]
    assert len(task.questions) == 6 and task.family == "locomo"
    by = {q.question: q for q in task.questions}
    adversarial = by["What is Mara's cat called?"]
    assert adversarial.check == "decline" and adversarial.wrong == ("Pepper",) and adversarial.category == "adversarial"
    assert by["What did they both do in May?"].category == "multi-hop"
    assert all(q.style == "natural" for q in task.questions)


def test_sessions_keep_only_questions_whose_evidence_was_read(tmp_path):
    task = load_locomo(_conversation(tmp_path), sessions=2)
    assert not any("part" in m.content and "Session 3" in m.content for m in task.messages if isinstance(m, ToolMessage))
    asked = [q.question for q in task.questions]
    assert "Where did Teo's sister move?" not in asked  # evidence in session 3
    assert "Which season do they like?" not in asked     # no evidence: cannot be placed
    assert "What did they both do in May?" in asked      # "D1:2; D2:1" both read
    assert len(load_locomo(_conversation(tmp_path), sessions=2, questions=2).questions) == 2
    with pytest.raises(TaskFileError, match="no question has its evidence"):
        load_locomo(_conversation(tmp_path, qa=[{"question": "Q?", "answer": "x", "evidence": ["D3:1"],
                                                 "category": 4}]), sessions=1)


def test_bad_files_name_the_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(TaskFileError, match="not a readable LoCoMo JSON"):
        load_locomo(bad)
    bad.write_text(json.dumps({"qa": []}))
    with pytest.raises(TaskFileError, match="not a LoCoMo conversation"):
        load_locomo(bad)
    with pytest.raises(TaskFileError, match=r"qa\[0\]: needs 'question' and 'category' 1-5"):
        load_locomo(_conversation(tmp_path, qa=[{"question": "Q?", "answer": "x", "category": 9}]))


def test_token_f1_scores_known_pairs_as_locomo_does():
    assert token_f1("by dancing", "by dancing") == 1.0
    assert token_f1("Dancing.", "by dancing") == pytest.approx(2 / 3, abs=1e-4)        # 1 of 2 gold tokens
    assert token_f1("The answer is Lisbon", "Lisbon") == pytest.approx(0.5, abs=1e-4)  # "the" is dropped
    assert token_f1("Porto", "Lisbon") == 0.0
    assert token_f1("It was in 1,200 BC", "1200 BC") == pytest.approx(4 / 7, abs=1e-4)  # P 2/5, R 1
    assert token_f1("went sailing, adopted a dog", "adopted a dog, went sailing", multi=True) == 1.0
    assert token_f1("adopted a dog", "adopted a dog, went sailing", multi=True) == 0.5
    assert token_f1('{"name": "read_conversation", "arguments": {"session": 1}}', "1") == 0.0  # a tool call


def test_the_report_gives_f1_and_contains_per_category():
    def row(cat, f1, correct, check="contains"):
        return {"run": "r1", "task": "t", "family": "locomo", "strategy": "vector", "passes": None, "seed": 0,
                "mode": "scripted", "check": check, "correct": correct, "category": cat, "f1": f1, "depth": 1,
                "style": "natural", "tokens_in_context": 100, "sleep_seconds": 0, "after_overflows": None}
    rows = [row("single-hop", 1.0, True), row("single-hop", 0.0, False), row("temporal", 0.5, True),
            row("adversarial", None, True, "decline")]
    s = summarize(rows)["vector"]
    assert s["by_category"]["single-hop"] == {"f1": 0.5, "contains": 0.5, "questions": 2}
    assert s["by_category"]["adversarial"]["contains"] == 1.0 and s["f1"] == 0.5
    table = category_table(summarize(rows))
    assert "| vector | 0.5 | - / 1.0 (n=1) | 0.5 / 0.5 (n=2) | 0.5 / 1.0 (n=1) |" in table
