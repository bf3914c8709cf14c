"""The consolidation engine's parts: sleep data (facts, 2-hop chains, anchors, replay) and the
publish-or-keep decision. Fast: the data tests need no model; the rejection test runs a real sleep on
a tiny randomly initialised Qwen2 (plumbing only - it knows nothing, so it must be rejected)."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent import AdapterStore, SleepConfig
from sleep_agent_benchmarks.world import World
from sleep_agent.consolidation import (Scores, SleepExample, assemble, build_examples,
                                       consolidate, derive_chains, extract_facts, judge, unknown_examples)
from sleep_agent.consolidation.phrasings import TRAIN, VALIDATION
from sleep_agent.scoring import is_decline


def test_world_has_enough_novel_facts_and_chains():
    w = World(seed=3)
    assert len(w.facts_1hop()) >= 32 and len(w.facts_2hop()) >= 16
    assert len(set(w.names)) == len(w.names)
    other = World(seed=4, exclude=frozenset(w.names))
    assert not set(other.names) & set(w.names)


def test_structured_results_give_attribute_facts_and_derived_chains():
    w = World(seed=3)
    facts = extract_facts(w.trajectory())
    assert all(f.kind == "attribute" for f in facts)  # structured results: no duplicate "call" facts
    assert len(facts) == len([q for q in w.facts_1hop() if q.style == "template"])
    chains = derive_chains(facts)
    truth = {(q.subject, q.answer) for q in w.facts_2hop()}  # each asked templated and naturally
    assert {(c.subject, c.answer) for c in chains} == truth
    assert all(c.relation.endswith("of the employer") for c in chains)


def test_heldout_phrasings_are_never_trained():
    facts = extract_facts(World(seed=5).trajectory())
    train, heldout = build_examples(facts + derive_chains(facts))
    trained = {e.question for e in train}
    assert heldout and not trained & {e.question for e in heldout}
    for kind in TRAIN:
        assert not set(TRAIN[kind]) & set(VALIDATION[kind]), kind


def test_unknown_examples_never_name_a_known_entity():
    known = World(seed=1).names
    ex = unknown_examples(known, ["city"], count=200, seed=0)
    assert len(ex) == 200
    assert not {e.answer.removeprefix("I have no record of ").rstrip(".") for e in ex} & set(known)
    assert all(is_decline(e.answer) for e in ex)
    assert not is_decline("The city of Samor Fenkarin is Olvesby.")


def test_assemble_mixes_parts_and_replays_only_earlier_training_data():
    w1, w2 = World(seed=1), World(seed=2, exclude=frozenset(World(seed=1).names))
    cfg = SleepConfig()
    first = assemble(w1.trajectory(), [], cfg)
    assert first.parts["replay"] == 0 and first.parts["chain"] > 0 and first.parts["unknown"] >= 8
    assert first.parts["general"] > 0
    second = assemble(w2.trajectory(), first.history, cfg)
    replayed = [e for e in second.train if e.part == "replay"]
    assert len(replayed) == second.parts["replay"] > 0
    earlier_train = {e.question for e in first.history if e.part in ("probe", "chain")}
    assert {e.question for e in replayed} <= earlier_train  # held-out phrasings are never replayed
    assert second.retained and all(e.part == "heldout" for e in second.retained)
    assert set(w1.names) <= set(second.subjects)  # unknown names avoid every entity of the thread


def test_judge_keeps_previous_version_when_general_or_retained_recall_drops():
    prev = {"heldout": 1.0, "general": 1.0}
    counts = {"general": 6, "retained": 4}
    assert judge(Scores(general=5 / 6, retained=0.75, counts=counts), prev) == []  # one question each: noise
    reasons = judge(Scores(general=4 / 6, retained=1.0, counts=counts), prev)
    assert reasons == ["general accuracy fell from 1.00 to 0.67"]
    assert judge(Scores(general=1.0, retained=0.5, counts=counts), prev) == [
        "retained accuracy fell from 1.00 to 0.50"]
    assert judge(Scores(general=0.0), None) == []  # nothing to compare with


def test_a_sleep_that_validates_worse_is_not_published(tiny_runtime, tmp_path):
    """A random model answers nothing right: compared with a previous version that knew everything,
    the new adapter must be rejected, the previous one stay active, and the reason be recorded."""
    store = AdapterStore("reject", tmp_path)
    cfg = SleepConfig(passes=1, validate=False)
    traj = World(seed=1, people=2, companies=1).trajectory()
    first = consolidate(tiny_runtime, store, traj, config=cfg)
    assert first.version == 1 and not first.rejected
    manifest_path = store.version_path(1) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    # Pretend v1 answered every check; HEAD pins the manifest's digest, so re-pin it as a publish would.
    manifest["validation"] = {"heldout": 1.0, "general": 1.0, "retained": 1.0}
    manifest_path.write_text(json.dumps(manifest))
    store._write_head(1)

    second = consolidate(tiny_runtime, store, World(seed=2, people=2, companies=1).trajectory(),
                         config=SleepConfig(passes=1))
    assert any("general accuracy fell from 1.00" in r for r in second.rejected), second.rejected
    assert second.version == 1 and store.versions() == [1]
    assert any("not published" in e for e in store.events)
    assert tiny_runtime.adapter_path is not None and tiny_runtime.adapter_path.endswith("v0001")


def test_sleep_data_file_records_heldout_for_later_retention_checks(tiny_runtime, tmp_path):
    store = AdapterStore("history", tmp_path)
    consolidate(tiny_runtime, store, World(seed=1, people=2, companies=1).trajectory(),
                config=SleepConfig(passes=1, validate=False))
    rows = [SleepExample(**json.loads(line)) for line in
            (store.version_path(1) / "sleep_data.jsonl").read_text().splitlines()]
    parts = {r.part for r in rows}
    assert {"probe", "heldout"} <= parts and not parts & {"replay", "unknown", "general"}
    assert all(r.subject for r in rows)


def test_retention_benchmark_reports_every_field(tiny_runtime, tmp_path):
    """Plumbing of ``bench retention`` on the tiny random model (its accuracies mean nothing)."""
    from sleep_agent_benchmarks.retention import format_table, run_retention

    r = run_retention(tiny_runtime, passes=[1, 2], limit=2, world_size=(2, 1), root=tmp_path, log=lambda _: None)
    scores = ["floor_1hop", "ceiling_1hop", "ceiling_2hop", "general_before", "general_after", "unknown_rate",
              "unknown_realistic_before", "unknown_realistic_gated"]
    for k in scores:  # each score: overall, per phrasing style, and how the replies came out
        assert 0.0 <= r[k]["all"] <= 1.0 and {"template", "natural", "n", "tool_calls", "hit_budget"} <= set(r[k]), k
    assert r["ceiling_1hop"]["natural"] is not None and r["ceiling_1hop"]["template"] is not None
    assert r["unknown_realistic_before"]["n"] > 0
    assert set(r["by_passes"]) == {"1", "2"}
    assert all({"1hop", "2hop", "unknown_realistic", "sleep_seconds"} <= set(m) for m in r["by_passes"].values())
    assert set(r["after_sleeps"]) == {"1", "2", "4"}
    assert {"vector_1hop", "vector_2hop", "vector_notes_2hop", "model"} <= set(r)
    table = format_table([r, r])  # as over two seeds: mean (lowest-highest) [templated / natural]
    assert "| sleep N=2" in table and "Ordinary never-seen names" in table and "[t " in table
    assert "ran into the 48-token answer budget" in table
    assert not list(tmp_path.iterdir())  # the benchmark's threads live in a temporary folder


def _update(i: int, subject: str, value: int):
    from langchain_core.messages import AIMessage, ToolMessage

    call = {"name": "set_level", "args": {"name": subject, "level": value}, "id": f"u{i}", "type": "tool_call"}
    rec = {"name": subject, "level": value}
    return [AIMessage("", tool_calls=[call]), ToolMessage(json.dumps(rec), tool_call_id=f"u{i}", artifact=rec)]


def test_an_updated_value_replaces_the_old_one_within_and_across_sleeps():
    first = _update(0, "Kalmere Dam", 10) + _update(1, "Kalmere Dam", 17)
    facts = [f for f in extract_facts(first) if f.relation == "level"]
    assert [f.answer for f in facts] == ["17"]  # latest value wins inside one window
    cfg = SleepConfig()
    one = assemble(first, [], cfg)
    two = assemble(_update(2, "Kalmere Dam", 42), one.history, cfg)
    answers = {e.answer for e in two.train + two.history if e.subject == "Kalmere Dam"}
    assert any("42" in a for a in answers) and not any("17" in a for a in answers)


def test_judge_has_no_ratchet_sleeps_each_one_question_worse_are_refused_once_past_the_base():
    """On main before this each sleep was compared with the previous version only: general accuracy
    could fall one question per sleep forever with every sleep published."""
    base = {"general": 5 / 6}
    counts = {"general": 6, "heldout": 4, "unknown": 4}
    prev, verdicts = dict(base), []
    for general in (4 / 6, 3 / 6, 2 / 6):  # one question worse than the previous version each time
        reasons = judge(Scores(heldout=1.0, general=general, counts=counts), prev, base=base)
        verdicts.append(reasons)
        if not reasons:
            prev = {"general": general}
    assert verdicts[0] == []  # one question from the base: noise
    assert verdicts[1] == ["general accuracy fell from 0.83 to 0.50 (the base model's)"]
    # the refused sleep did not become the reference: the next is judged against 4/6 and the base
    assert "general accuracy fell from 0.83 to 0.33 (the base model's)" in verdicts[2]


def test_judge_refuses_a_sleep_that_learned_nothing_and_bounds_hallucination_from_the_first_version():
    counts = {"general": 6, "heldout": 4, "unknown": 4}
    prev, first = {"general": 0.5, "heldout": 1.0, "unknown": 0.75}, {"unknown": 1.0}
    assert judge(Scores(heldout=0.0, general=0.5, unknown=0.75, counts=counts), prev)[0].startswith(
        "held-out recall of the new facts is 0.00 (4 questions)")
    assert judge(Scores(heldout=0.25, general=0.5, unknown=0.75, counts=counts), prev, first=first) == []
    assert judge(Scores(heldout=0.25, general=0.5, unknown=0.5, counts=counts), prev, first=first) == [
        "unknown accuracy fell from 1.00 to 0.50 (the first version's)"]
    assert judge(Scores(heldout=None, general=0.5, counts={"general": 6}), prev) == []  # nothing asked: no veto


def test_judge_tolerates_exactly_one_question_despite_rounding():
    counts = {"general": 6}
    assert judge(Scores(general=0.333, counts=counts), {"general": 0.5}) == []   # 3/6 -> 2/6: one question
    assert judge(Scores(general=0.167, counts=counts), {"general": 0.5}) != []   # 3/6 -> 1/6: two


def test_replay_covers_every_earlier_fact_before_repeating_one():
    import random
    from collections import Counter

    from sleep_agent.consolidation.engine import replay_sample

    old = [SleepExample(f"q{i}-{k}", f"a{i}", "probe", subject=f"Person {i}", relation="city")
           for i in range(30) for k in range(4)]  # 30 earlier facts, 4 phrasings each
    for count in (12, 30, 45):
        picked = replay_sample(old, count, random.Random(count))
        per_fact = Counter(e.subject for e in picked)
        assert len(picked) == count and len({e.question for e in picked}) == count  # no phrasing twice
        assert max(per_fact.values()) - min(per_fact.values()) <= 1 and len(per_fact) == min(30, count)
    assert len(replay_sample(old, 500, random.Random(0))) == len(old)


def test_replay_and_anchors_grow_with_the_new_data_not_the_history():
    from sleep_agent.consolidation.engine import MIN_REPLAY, MIN_UNKNOWN, REPLAY_RATIO, replay_count, unknown_anchors

    def old(facts):  # earlier facts, 4 phrasings each
        return [SleepExample(f"q{i}-{k}", f"a{i}", "probe", subject=f"P{i}", relation="city")
                for i in range(facts) for k in range(4)]
    assert replay_count(100, old(10)) == 40                                  # all there is
    assert replay_count(100, old(40)) == replay_count(100, old(1000)) == int(REPLAY_RATIO * 100)
    assert replay_count(10, old(1000)) == 10                                 # a small sleep replays little
    assert replay_count(1, old(1000)) == MIN_REPLAY                          # ...but still rehearses
    assert len(unknown_anchors(["Ana Lisk"], ["city"], 20, seed=0)) == MIN_UNKNOWN
    assert len(unknown_anchors(["Ana Lisk"], ["city"], 200, seed=0)) == 20


def test_a_two_turn_sleep_trains_at_most_a_third_of_a_full_window_sleep():
    """Issue 21: from the same thread (one sleep over 4 records done), a sleep over one record (two
    turns) trains on at most a third of the examples of a sleep over four, replay and anchors included."""
    from sleep_agent_tools import RecordArchive

    archive = RecordArchive(seed=4, size=12)

    def window(lo, hi):
        msgs = [HumanMessage("Read every record, then say who lives in Tarnwick.")]
        for i in range(lo, hi):
            p = archive.people[i]
            msgs += [AIMessage("", tool_calls=[{"name": "next_record", "args": {}, "id": f"c{i}"}]),
                     ToolMessage(f"Record {i + 1} of 12: {p.name} lives in {p.city} and works as a {p.job}.",
                                 tool_call_id=f"c{i}", name="next_record")]
        return msgs
    cfg = SleepConfig(passes=1)
    first = assemble(window(0, 4), [], cfg)
    full, two = (assemble(window(4, hi), first.history, cfg) for hi in (8, 5))
    assert full.parts["replay"] > 0 and two.parts["replay"] > 0
    assert len(two.train) <= len(full.train) / 3, (two.parts, full.parts)


def test_a_window_with_nothing_new_trains_nothing(tiny_runtime, tmp_path):
    """Issue 21: the demo slept three more times over "No more records"; a window whose facts an
    earlier sleep already trained, or that holds none, is dropped without training or a new version."""
    store = AdapterStore("nothing-new", tmp_path)
    cfg = SleepConfig(passes=1, validate=False, self_study=0)
    window = World(seed=1, people=2, companies=1).trajectory()
    assert consolidate(tiny_runtime, store, window, config=cfg).version == 1

    again = consolidate(tiny_runtime, store, window, config=cfg)  # the same results once more
    assert again.skipped.startswith("nothing new to learn") and again.version == 1
    assert again.train_tokens == 0 and again.seconds["train"] == 0.0 and store.versions() == [1]

    call = {"name": "next_record", "args": {}, "id": "c9", "type": "tool_call"}
    done = [HumanMessage("Read the records."), AIMessage("", tool_calls=[call]),
            ToolMessage("No more records: all 7 have been read.", tool_call_id="c9")]
    empty = consolidate(tiny_runtime, store, done, config=cfg)
    assert empty.skipped.startswith("nothing to learn") and store.versions() == [1]
    assert sum("sleep skipped" in e for e in store.events) == 2

    changed = World(seed=1, people=2, companies=1).trajectory()
    changed[-1].content = json.dumps({**changed[-1].artifact, "headquarters": "Oslo"})  # a value changed
    changed[-1].artifact = None
    assert not consolidate(tiny_runtime, store, changed, config=cfg).skipped


def test_validation_asks_every_check_in_one_batched_generation(monkeypatch):
    """Asked check by check, validation cost ~21 s whatever a sleep learned (docs/sleep-cost.md): all
    its questions go to the model at once, and each check is scored on its own share of the replies.
    The decoding is scripted (no model); what is asked and how it is scored is real."""
    from sleep_agent.consolidation import Reply, validation
    from sleep_agent.consolidation.anchors import GENERAL_CONTROL

    class Runtime:  # the lock is all score() touches besides answer_questions
        import threading
        lock = threading.RLock()

    calls = []

    def scripted(runtime, questions, system):
        calls.append(list(questions))
        # held-out and retained: the right city; general: wrong; unknown: declined
        return [Reply.of(f"The city of {q.split(' for ')[1].rstrip('?')} is Olvesby." if "Ana" in q else
                         "I have no record of that person." if i >= len(questions) - 2 else "Nothing.")
                for i, q in enumerate(questions)]

    monkeypatch.setattr(validation, "answer_questions", scripted)
    held = [SleepExample("Which city is listed for Ana?", "The city of Ana is Olvesby.", "heldout", subject="Ana",
                         relation="city")]
    kept = [SleepExample("Which city is listed for Ana Lisk?", "The city of Ana Lisk is Olvesby.", "heldout",
                         subject="Ana Lisk", relation="city")]
    monkeypatch.setattr(validation, "MAX_UNKNOWN", 2)
    scores = validation.score(Runtime(), "system", heldout=held, retained=kept, known_subjects=["Ana"],
                              relations=["city"])
    assert len(calls) == 1 and len(calls[0]) == 1 + 1 + min(validation.MAX_GENERAL, len(GENERAL_CONTROL)) + 2
    assert (scores.heldout, scores.retained, scores.general, scores.unknown) == (1.0, 1.0, 0.0, 1.0)
    assert scores.counts == {"heldout": 1, "retained": 1, "general": len(calls[0]) - 4, "unknown": 2}
    assert scores.per_fact == [{"subject": "Ana", "relation": "city", "question": held[0].question, "right": True}]


def test_judge_counts_the_previous_versions_general_score_only_up_to_the_base_models():
    """Seen on the small suite (recall task, seed 0): the base answered 2 of 6 control questions, v2 5
    of 6, and two sleeps answering 3 of 6 - still above the base - were refused as forgetting."""
    counts = {"general": 6, "heldout": 4}
    base, prev = {"general": 2 / 6}, {"general": 5 / 6, "heldout": 1.0}
    assert judge(Scores(heldout=1.0, general=3 / 6, counts=counts), prev, base=base) == []
    assert judge(Scores(heldout=1.0, general=1 / 6, counts=counts), prev, base=base) == []  # one question
    assert judge(Scores(heldout=1.0, general=0.0, counts=counts), prev, base=base) == [
        "general accuracy fell from 0.33 to 0.00 (the base model's)"]
    # a previous version below the base still bounds the next sleep's fall from it
    assert judge(Scores(heldout=1.0, general=0.0, counts=counts), {"general": 2 / 6}, base={"general": 4 / 6}) == [
        "general accuracy fell from 0.33 to 0.00", "general accuracy fell from 0.67 to 0.00 (the base model's)"]
    # without a base on record (an adapter written before it was kept) the previous version is the reference
    assert judge(Scores(heldout=1.0, general=3 / 6, counts=counts), prev) == ["general accuracy fell from 0.83 to 0.50"]


def test_a_sleep_whose_transcript_lines_cannot_be_asked_back_is_refused(monkeypatch):
    """LoCoMo's sleeps learn nearly only ``said`` facts, and validation used to ask none of them (0
    held-out questions: "recall zero -> refused" could never fire). Now each is asked in its held-out
    words and the reply checked by its line (date and words); a sleep that recalls none is refused.
    The decoding is scripted (no model); the questions, the checks and the verdict are real."""
    from sleep_agent.consolidation import Reply, validation
    from sleep_agent.consolidation.conversation import said_facts

    class Runtime:
        import threading
        lock = threading.RLock()

    page = ("Session 2 (2:32 pm on 29 January, 2023), part 1 of 2:\n"
            "Teo: I finally opened my bakery on Harbour Street last week, after months of paperwork.\n"
            "Mara: I started a pottery course at Kelso Studio and my first bowl cracked in the kiln.\n"
            "Teo: Next month I am travelling to Lisbon for a baking fair with my brother.")
    _, held = build_examples(said_facts(page))
    assert held and all(e.question.startswith("What was it that ") for e in held)
    lines = {e.question: e.answer.split(" said: ")[1] for e in held}

    def replies(recite: bool):
        def scripted(runtime, questions, system):  # the line itself with its date, or only the date
            return [Reply.of(f"On 29 January, 2023, {lines[q]}" if recite and q in lines else
                             "On 29 January, 2023, they talked about it." if q in lines else "Nothing.")
                    for q in questions]
        return scripted

    monkeypatch.setattr(validation, "answer_questions", replies(recite=True))
    good = validation.score(Runtime(), "system", heldout=held)
    assert good.heldout == 1.0 and good.counts["heldout"] == min(len(held), validation.MAX_HELDOUT)
    assert judge(good, {"general": 0.0}) == []
    monkeypatch.setattr(validation, "answer_questions", replies(recite=False))
    bad = validation.score(Runtime(), "system", heldout=held)
    assert bad.heldout == 0.0 and not any(f["right"] for f in bad.per_fact)
    assert any("held-out recall of the new facts is 0.00" in r for r in judge(bad, {"general": 0.0}))
