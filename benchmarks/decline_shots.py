"""Choose how the gate declines unknown names, on a dev set, so the retention benchmark's sets stay untouched.

The entity gate (``sleep_agent/consolidation/gate.py``) sends a question that names no consolidated
entity to the base model, which should decline made-up names and still answer real ones. Two tools
for that: worked examples in front of the question (``DECLINE_SHOTS``) and the familiarity check
(``sleep_agent/consolidation/familiar.py``: decline a name the base model finds surprising). This
script scores combinations of them on:

- **unknown**: made-up names (other seed than the benchmark's) in *dev* phrasings, which are neither
  the sleep's training phrasings nor the benchmark's held-out ones: share declined;
- **general**: questions outside ``BENCH_GENERAL``, a third of them about real named companies and
  people (the case a decline shot can break): share answered right.

    .venv/bin/python benchmarks/decline_shots.py [--model qwen2.5-coder-0.5b] [--out docs]

Writes ``decline-shots.json`` and ``decline-shots.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sleep_agent.consolidation import DECLINE_PROMPT, QA_SYSTEM_PROMPT, answer_questions  # noqa: E402
from sleep_agent.consolidation.anchors import GENERAL_TRAIN, UNKNOWN_ANSWER, general_correct, unknown_name  # noqa: E402
from sleep_agent.consolidation.phrasings import EVAL, NATURAL, TRAIN, VALIDATION  # noqa: E402
from sleep_agent.scoring import first_sentence, is_decline  # noqa: E402
from sleep_agent.consolidation.familiar import UNFAMILIAR_NATS, unfamiliar_names  # noqa: E402
from sleep_agent_benchmarks.controls import BENCH_GENERAL  # noqa: E402

RELATIONS = ("city", "employer", "headquarters", "industry")   # the benchmark world's relations
DEV_FORMS = ("Name the {relation} on file for {subject}.", "What {relation} does {subject} have?",
             "Give me {subject}'s {relation}.", "Could you look up the {relation} of {subject}?",
             "I need the {relation} for {subject}.")
_EVERYDAY = (
    ("Who painted the Mona Lisa?", "Leonardo|da Vinci"), ("What is the chemical symbol for gold?", "Au"),
    ("What is the capital of Portugal?", "Lisbon"), ("What is the capital of Norway?", "Oslo"),
    ("How many legs does an insect have?", "6|six"), ("What is the largest continent?", "Asia"),
    ("Who wrote Hamlet?", "Shakespeare"), ("What color is a ripe banana?", "yellow"),
    ("How many days are in a leap year?", "366"), ("Who invented the telephone?", "Bell"),
    ("Which animal has the longest neck?", "giraffe"), ("How many seconds are in a minute?", "60|sixty"),
    ("What is 5 times 6?", "30|thirty"), ("What is the capital of South Korea?", "Seoul"),
    ("Which ocean lies between Europe and North America?", "Atlantic"),
    ("What is the largest country by area?", "Russia"), ("Who formulated the laws of motion?", "Newton"),
    ("What fruit is wine usually made from?", "grape"),
)
# real named companies and people, in the relations the thread's facts use: what worked examples break
NAMED = (
    ("Where is the headquarters of Microsoft?", "Redmond|Washington"),
    ("Which company makes the iPhone?", "Apple"), ("Who founded Amazon?", "Bezos"),
    ("What industry is Toyota in?", "auto|car|vehicle|motor"),
    ("In which city is Google headquartered?", "Mountain View|California"),
    ("Who is the founder of Microsoft?", "Gates"), ("Which company makes the PlayStation?", "Sony"),
    ("What city is the Eiffel Tower in?", "Paris"), ("Who was Albert Einstein?", "physicist|scientist"),
    ("Where was Mozart born?", "Salzburg|Austria"), ("Which country is Volkswagen from?", "German"),
    ("What does Nike make?", "shoe|sneaker|footwear|sport"),
)
DEV_GENERAL = _EVERYDAY + NAMED
# The gate's worked examples until the familiarity check replaced them, chosen then on 16 names in the
# sleep's own phrasings and 10 general questions (100% declined, "Who painted the Mona Lisa?" lost).
DECLINE_SHOTS: tuple[tuple[str, str], ...] = (
    ("What is the capital of Spain?", "The capital of Spain is Madrid."),
    ("What is the employer of Dravo Kelmith?", "I have no record of Dravo Kelmith."),
    ("Who discovered penicillin?", "Alexander Fleming discovered penicillin."),
    ("Tell me the city of Rusa Bendoral.", "I have no record of Rusa Bendoral."),
)
# Decline examples use made-up names in the style of none of the generated ones.
_MORE_DECLINES = (("Where is the headquarters of Talvern Osprin?", "I have no record of Talvern Osprin."),
                  ("What industry is Mellick Harrow in?", "I have no record of Mellick Harrow."))
_REAL_NAMED = (("Who founded the Ford Motor Company?", "Henry Ford founded the Ford Motor Company."),
               ("What industry is Boeing in?", "Boeing is in the aerospace industry."))
_MIXED = (DECLINE_SHOTS[:2] + _REAL_NAMED[:1] + DECLINE_SHOTS[2:] + _MORE_DECLINES[:1] + _REAL_NAMED[1:]
          + _MORE_DECLINES[1:])
# name -> (decline shots, surprisal threshold or None for no familiarity check)
CANDIDATES = {
    "DECLINE_SHOTS (4), no familiarity check": (DECLINE_SHOTS, None),
    "+2 declines (headquarters, industry), no check": (DECLINE_SHOTS + _MORE_DECLINES, None),
    "+2 declines +2 real named, no check": (_MIXED, None),
    f"DECLINE_SHOTS + familiarity check ({UNFAMILIAR_NATS} nats)": (DECLINE_SHOTS, UNFAMILIAR_NATS),
    f"no shots + familiarity check ({UNFAMILIAR_NATS} nats)": ((), UNFAMILIAR_NATS),
}


def dev_unknown(count: int = 40) -> list[str]:
    """Made-up names in dev phrasings, one-hop and chained ("headquarters of the employer")."""
    rng = random.Random("decline-dev")
    forms = [f.replace("{relation}", r) for r in RELATIONS for f in DEV_FORMS] + [
        f.replace("{relation}", f"{r} of the employer") for r in RELATIONS[2:] for f in DEV_FORMS]
    return [forms[i % len(forms)].format(subject=unknown_name(rng)) for i in range(count)]


def check_disjoint() -> None:
    """Dev must share no question with the benchmark's control, the anchors or the phrasings it guards."""
    taken = {q for q, _ in BENCH_GENERAL + GENERAL_TRAIN}
    assert not taken & {q for q, _ in DEV_GENERAL}, "dev general overlaps BENCH_GENERAL/GENERAL_TRAIN"
    phrasings = {t for sets in (TRAIN, VALIDATION, EVAL) for ts in sets.values() for t in ts}
    phrasings |= {t for split in NATURAL.values() for t in split.values()}
    assert not phrasings & set(DEV_FORMS), "dev phrasings overlap the sleep's or the benchmark's"


def ask_base_path(runtime, questions: list[str], shots, nats) -> list[str]:
    """The gate's path for a question naming no consolidated entity (the library's
    ``answer_questions``), with ``shots`` worked decline examples before each question: the variant
    this dev set compares (the library asks with none)."""
    replies: dict[int, str] = {}
    with runtime.adapter_disabled():
        if nats is not None:
            for i, q in enumerate(questions):
                if unknown := unfamiliar_names(runtime, q, nats):
                    replies[i] = UNKNOWN_ANSWER.format(subject=unknown[0])
        worked = [m for q, a in shots for m in ({"role": "user", "content": q}, {"role": "assistant", "content": a})]
        others = [i for i in range(len(questions)) if i not in replies]
        rendered = [runtime.render([{"role": "system", "content": QA_SYSTEM_PROMPT + DECLINE_PROMPT}, *worked,
                                    {"role": "user", "content": questions[i]}]) for i in others]
        replies.update(zip(others, map(first_sentence, runtime.generate_batch(rendered, max_new_tokens=24))))
    return [replies[i] for i in range(len(questions))]


def score(runtime, shots, nats) -> dict:
    unknown = dev_unknown()
    t = time.perf_counter()
    u = ask_base_path(runtime, unknown, shots, nats)
    g = ask_base_path(runtime, [q for q, _ in DEV_GENERAL], shots, nats)
    share = lambda replies, qa: round(sum(general_correct(r, a) for r, (_, a) in zip(replies, qa)) / len(qa), 3)  # noqa: E731
    return {"shots": len(shots), "unknown_declined": round(sum(map(is_decline, u)) / len(u), 3),
            "general": share(g, DEV_GENERAL), "general_named": share(g[-len(NAMED):], NAMED),
            "seconds": round(time.perf_counter() - t, 1),
            "missed_unknown": [q for q, r in zip(unknown, u) if not is_decline(r)],
            "lost_general": [f"{q} -> {r}" for (q, a), r in zip(DEV_GENERAL, g) if not general_correct(r, a)]}


def table(out: dict) -> str:
    lines = [f"{out['dev_unknown']} made-up names in dev phrasings; {out['dev_general']} general questions "
             f"({out['dev_general_named']} about real named companies and people). Base model with no gate and "
             f"no instruction: {out['unknown_declined_base_alone']} of the made-up names declined.\n",
             "| gate's path for a name it does not hold | worked examples | made-up declined | general right "
             "| general, real named | s |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {r['shots']} | {r['unknown_declined']} | {r['general']} | {r['general_named']} "
              f"| {r['seconds']} |" for n, r in out["candidates"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--out", type=Path, default=Path("docs"))
    args = ap.parse_args()
    check_disjoint()
    from sleep_agent_benchmarks.results import write_results
    from sleep_agent.models import LocalRuntime

    runtime = LocalRuntime.load(args.model)
    results = {name: score(runtime, *c) for name, c in CANDIDATES.items()}
    base = answer_questions(runtime, dev_unknown(), QA_SYSTEM_PROMPT)  # no gate, no instruction
    out = {"model": args.model, "command": f".venv/bin/python benchmarks/decline_shots.py --model {args.model}",
           "unknown_declined_base_alone": round(sum(map(is_decline, base)) / len(base), 3),
           "dev_unknown": len(dev_unknown()), "dev_general": len(DEV_GENERAL), "dev_general_named": len(NAMED),
           "candidates": results}
    args.out.mkdir(parents=True, exist_ok=True)
    write_results(args.out / "decline-shots", out, f"Gate decline paths: {args.model}, dev set", table, merge=False)
    print(table(out))
    for n, r in results.items():
        print(n, "missed:", r["missed_unknown"], "lost:", r["lost_general"])


if __name__ == "__main__":
    main()
