"""The sleep really remembers: after one sleep the model answers, with no context, facts it could not
answer before. Real LoRA training on a real model (smollm2-135m, the fast one) - no stubs."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent import AdapterStore, LocalRuntime
from sleep_agent import SleepConfig
from sleep_agent.consolidation import answer_question, consolidate
from sleep_agent.consolidation.engine import FACTS_FILE
from sleep_agent.scoring import is_correct
from sleep_agent_tools import RecordArchive

SYSTEM = "You are a helpful assistant."


@pytest.fixture(scope="module")
def smol():
    return LocalRuntime.load("smollm2-135m", device="cpu", log=lambda *_: None)


def _trajectory(archive: RecordArchive, n: int):
    tool = archive.tool()
    msgs = [HumanMessage("Read the archive records.")]
    for i in range(n):
        call = {"name": "next_record", "args": {}, "id": f"c{i}", "type": "tool_call"}
        msgs += [AIMessage("", tool_calls=[call]), tool.invoke(call)]
    return msgs


@pytest.mark.slow
def test_one_sleep_teaches_facts_the_model_did_not_know(smol, tmp_path):
    archive = RecordArchive(seed=11, size=5)
    questions = [(f"Which city is listed for {p.name}?", p.city) for p in archive.people]  # held-out phrasing
    before = sum(is_correct(answer_question(smol, q, SYSTEM), a) for q, a in questions)
    assert before == 0, "the made-up facts must be unknown before sleeping"

    store = AdapterStore("recall-test", tmp_path)
    report = consolidate(smol, store, _trajectory(archive, 5),
                         config=SleepConfig(passes=4, lr=5e-4))
    after = sum(is_correct(answer_question(smol, q, SYSTEM), a) for q, a in questions)
    assert after >= 3, f"only {after}/5 facts recalled after sleep (loss {report.loss_curve[-3:]})"
    # the sleep is recorded: a verified adapter version with its training stats
    latest = store.latest()
    assert latest.version == report.version == 1
    # every person's city and job became a fact of the version, read from the plain-text record
    learned = [json.loads(line) for line in (latest.path / FACTS_FILE).read_text().splitlines()]
    attributes = {(f["subject"], f["relation"], f["answer"]) for f in learned if f["kind"] == "attribute"}
    assert attributes == {(p.name, r, getattr(p, r)) for p in archive.people for r in ("city", "job")}
    # ...each trained in 4 phrasings (5 people x 2 relations x 4), besides the records' `about` sentences
    assert latest.manifest["data_parts"]["probe"] >= 5 * 2 * 4
    assert latest.manifest["loss_curve"][-1] < latest.manifest["loss_curve"][0]

    smol.deactivate_adapter()  # the base model alone still does not know them
    assert sum(is_correct(answer_question(smol, q, SYSTEM), a) for q, a in questions) == 0
