"""Procedural, seeded task families (fully offline; every name is a random string).

- ``multihop``: people with a ``city`` and a ``mentor`` (another person), looked up one by one;
  questions need k = 1, 2 or 4 hops ("the city of the mentor of the mentor of the mentor of X").
- ``state``: counters changed many times through tool calls; ask the final values.
- ``updates``: a fact is stated, later contradicted; ask the current one (the stale value is wrong).
- ``recall``: several windows of new people; ask about the first window's people right after the
  2nd, 4th and 8th overflow (sleep) and at the end.

Every fact is asked in the eval phrasings (:mod:`sleep_agent.consolidation.phrasings`), which neither
the sleep trains on nor validation asks: once templated and once as a person would ask it
(``style="natural"``, from the ``test`` split unless ``split="dev"``). Each task also asks about
:data:`UNKNOWN_PER_TASK` ordinary names it never saw (:mod:`.unknown_names`; ``check="decline"``).

Example::

    >>> [t.family for t in suite("smoke", seed=0)]
    ['multihop', 'state', 'updates', 'recall']
"""

from __future__ import annotations

import random

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from sleep_agent.consolidation.anchors import unknown_name
from sleep_agent.consolidation.phrasings import eval_question, natural

from .forms import check_form, render
from .tasks import EvalQuestion, EvalTask
from .unknown_names import unknown_questions

__all__ = ["multihop", "state", "updates", "recall", "suite", "FAMILIES", "SUITES", "UNKNOWN_PER_TASK"]

UNKNOWN_PER_TASK = 2  # never-seen ordinary names asked per task (one templated, one natural)


def _ask(relation: str, subject: str, answer: str, split: str, *, kind: str = "attribute", **kw) -> list[EvalQuestion]:
    """The fact asked twice: in the eval template and, where the relation has one, naturally."""
    out = [EvalQuestion(eval_question(kind, relation, subject), answer, **kw)]
    if (text := natural(relation, subject, split)) is not None:
        out.append(EvalQuestion(text, answer, style="natural", **kw))
    return out


def _with_unknowns(task: EvalTask, names, split: str, seed: int) -> EvalTask:
    task.questions += unknown_questions(UNKNOWN_PER_TASK, split=split, seed=f"{task.id}-{seed}",
                                        exclude=frozenset(names))
    return task
_PLACE = ("wick", "by", "mere", "stead", "ford", "holm", "gate", "thorpe")


class _Script:
    """Builds a trajectory of tool calls whose results are records in ``form`` (:mod:`.forms`)."""

    def __init__(self, task: str, seed: int, form: str = "json"):
        self.messages: list[BaseMessage] = [HumanMessage(task)]
        self.seed, self.n, self.form = seed, 0, check_form(form)
        self.rng = random.Random(f"form-{seed}")

    def call(self, tool: str, args: dict, result: dict) -> None:
        cid = f"e{self.seed}_{self.n}"
        self.n += 1
        content, artifact = render(result, self.form, self.rng, page=self.n)
        self.messages.append(AIMessage("", tool_calls=[{"name": tool, "args": args, "id": cid, "type": "tool_call"}]))
        self.messages.append(ToolMessage(content, tool_call_id=cid, name=tool, artifact=artifact))


def _names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        name = unknown_name(rng)
        if name.lower() not in taken:
            taken.add(name.lower())
            out.append(name)
    return out


def _place(rng: random.Random, taken: set[str]) -> str:
    while True:
        p = unknown_name(rng).split()[1] + rng.choice(_PLACE)
        if p.lower() not in taken:
            taken.add(p.lower())
            return p


def multihop(seed: int, people: int = 8, split: str = "test", form: str = "json") -> EvalTask:
    rng, taken = random.Random(f"multihop-{seed}"), set()
    names = _names(rng, people, taken)
    order = names[:]
    rng.shuffle(order)
    mentor = {order[i]: order[(i + 1) % len(order)] for i in range(len(order))}  # one cycle: always defined
    city = {n: _place(rng, taken) for n in names}
    s = _Script("Look up every person in the registry and keep track of what you learn.", seed, form)
    for n in names:
        s.call("lookup", {"name": n}, {"name": n, "city": city[n], "mentor": mentor[n]})
    qs = []
    for n in names:
        qs += _ask("city", n, city[n], split, depth=1)
        qs += _ask("city of the mentor", n, city[mentor[n]], split, kind="chain", depth=2)
        far = mentor[mentor[mentor[n]]]
        qs += _ask("city of the mentor of the mentor of the mentor", n, city[far], split, kind="chain", depth=4)
    return _with_unknowns(EvalTask(f"multihop-{seed}", "multihop", s.messages, qs), names, split, seed)


def state(seed: int, counters: int = 4, updates: int = 5, split: str = "test", form: str = "json") -> EvalTask:
    rng, taken = random.Random(f"state-{seed}"), set()
    tanks = [f"{w.split()[1]} Tank" for w in _names(rng, counters, taken)]
    level = {t: rng.randint(10, 90) for t in tanks}
    s = _Script("Keep the tank levels up to date as you adjust them.", seed, form)
    for t in tanks:
        s.call("read_level", {"name": t}, {"name": t, "level": level[t]})
    for _ in range(updates * counters):
        t = rng.choice(tanks)
        delta = rng.choice([-7, -5, -3, 2, 4, 6, 9])
        level[t] += delta
        s.call("adjust_level", {"name": t, "delta": delta}, {"name": t, "level": level[t]})
    qs = [q for t in tanks for q in _ask("level", t, str(level[t]), split, check="number")]
    return _with_unknowns(EvalTask(f"state-{seed}", "state", s.messages, qs), tanks, split, seed)


def updates(seed: int, people: int = 6, split: str = "test", form: str = "json") -> EvalTask:
    rng, taken = random.Random(f"updates-{seed}"), set()
    names = _names(rng, people, taken)
    office = {n: _place(rng, taken) for n in names}
    s = _Script("Look up every person's office, and look again after the office moves are announced.", seed, form)
    for n in names:
        s.call("lookup", {"name": n}, {"name": n, "office": office[n]})
    moved = {}
    for n in names[: people // 2]:
        moved[n] = office[n]
        office[n] = _place(rng, taken)
        s.call("lookup", {"name": n}, {"name": n, "office": office[n]})
    qs = [q for n in names for q in _ask("office", n, office[n], split, wrong=(moved[n],) if n in moved else ())]
    task = EvalTask(f"updates-{seed}", "updates", s.messages, qs, meta={"moved": len(moved)})
    return _with_unknowns(task, names, split, seed)


def recall(seed: int, windows: int = 3, people: int = 5, checkpoints: tuple[int, ...] = (2, 4, 8),
           split: str = "test", form: str = "json") -> EvalTask:
    """``windows`` batches of ``people`` lookups; the first batch's cities are asked at the end and,
    in scripted mode, right after the window's k-th overflow for each k in ``checkpoints`` (sleeps,
    for the sleep memory): recall across several sleeps. Size the task so that it overflows at
    least ``max(checkpoints)`` times at its budget; a checkpoint never reached is not asked."""
    rng, taken = random.Random(f"recall-{seed}"), set()
    s = _Script("Look up every person in each batch of the registry.", seed, form)
    qs, seen = [], []
    for w in range(1, windows + 1):
        for n in _names(rng, people, taken):
            c = _place(rng, taken)
            seen.append(n)
            s.call("lookup", {"name": n}, {"name": n, "city": c})
            if w == 1:
                qs += _ask("city", n, c, split, window=1, checkpoints=tuple(checkpoints))
    return _with_unknowns(EvalTask(f"recall-{seed}", "recall", s.messages, qs, meta={"windows": windows}),
                          seen, split, seed)


FAMILIES = {"multihop": multihop, "state": state, "updates": updates, "recall": recall}
# (family kwargs, budget): sizes chosen so each task overflows the budget at least once. A family's
# own "budget" (tokens) replaces the suite's for its task (a ``budget`` flag given to the CLI wins).
SUITES = {
    # smoke: ~300-360 tokens per task on smollm2's compact template, ~500-770 on Qwen's, against the
    # smallest budget allowed: every task overflows at least once on either model.
    "smoke": ({"multihop": {"people": 6}, "state": {"counters": 3, "updates": 3}, "updates": {"people": 6},
               "recall": {"windows": 3, "people": 3}}, 256),
    # small: 1.1k-2.3k tokens per task on Qwen's template against a 768 budget: multihop and updates
    # overflow once (8 of 14 people leave the window), state twice; recall: 6 batches of 3 at a 384
    # budget sleep 4 times, so the first batch is asked after sleeps 2 and 4 (the 8th needs 12
    # batches: 9 sleeps per N, over the one-hour budget; suite "recall" runs it). v2 had 20 multihop
    # and 14 updates people and took 90 minutes; this one took 49 (docs/eval-small).
    "small": ({"multihop": {"people": 14}, "state": {"counters": 4, "updates": 6}, "updates": {"people": 10},
               "recall": {"windows": 6, "people": 3, "budget": 384, "checkpoints": (2, 4)}}, 768),
    "full": ({"multihop": {"people": 16}, "state": {"counters": 6, "updates": 8}, "updates": {"people": 12},
              "recall": {"windows": 16, "people": 5}}, 1024),
    # recall alone, long enough for 9-10 overflows at 384 tokens: the first batch asked after the
    # 2nd, 4th and 8th sleep (the small suite stops at the 4th to stay inside its hour).
    "recall": ({"recall": {"windows": 12, "people": 3, "checkpoints": (2, 4, 8)}}, 384),
}


def suite(name: str, seed: int, split: str = "test", form: str = "json") -> list[EvalTask]:
    """The suite's tasks for ``seed``, natural questions from ``split`` ("dev" while building, "test"
    for what is reported), tool results in ``form`` (:data:`.forms.FORMS`)."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}: choose one of {', '.join(SUITES)}")
    sizes, _ = SUITES[name]
    tasks = []
    for family, kw in sizes.items():
        kw = dict(kw)
        budget = kw.pop("budget", None)
        task = FAMILIES[family](seed, split=split, form=form, **kw)
        if budget:
            task.meta["budget"] = budget
        tasks.append(task)
    return tasks
