"""Sleep data: turn an evicted trajectory into question/answer examples to train the adapter on.

Raw next-token replay of a trajectory retains almost nothing (DESIGN.md section 4: 0% recall at every
N); paraphrased questions about it with their answers, in the chat template used when awake, do.
So each structured tool call and its result becomes a fact with several question phrasings:

    lookup(entity="Zorblax", relation="capital") -> "Vemtrook"
    Q: "What did lookup return for entity=Zorblax, relation=capital?"   A: "Vemtrook"
    Q: "Recall the result of the lookup tool with entity=Zorblax, relation=capital."  ...

Training phrasings and held-out phrasings are disjoint, so validation measures recall, not
memorised surface form. The task itself and the agent's own final statements are facts too.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from ..models.messages import content_text

__all__ = ["Fact", "SleepExample", "extract_facts", "build_examples", "TRAIN_TEMPLATES", "HELDOUT_TEMPLATES"]

# {tool}: tool name; {args}: "k=v, k2=v2"; {argvals}: "v, v2".
TRAIN_TEMPLATES = (
    "What did {tool} return for {args}?",
    "What was the result of calling {tool} with {args}?",
    "Recall the output of the {tool} tool for {args}.",
    "When you ran {tool}({args}), what did it say?",
    "{tool} {argvals}: what was the answer?",
)
HELDOUT_TEMPLATES = (
    "Tell me what the {tool} tool gave back for {args}.",
)
MAX_ANSWER_CHARS = 400  # long tool outputs are cut: the facts that matter come first in our tools


@dataclass(frozen=True)
class Fact:
    """One thing that happened: a tool call and its result (``kind="tool"``), or a plain statement."""

    kind: str
    tool: str
    args: dict
    answer: str


@dataclass(frozen=True)
class SleepExample:
    question: str
    answer: str
    part: str  # which data part it belongs to: probe | task | replay | anchor | heldout

    def to_dict(self) -> dict:
        return asdict(self)


def _args_text(args: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items()) or "no arguments"


def extract_facts(messages: Sequence[BaseMessage]) -> list[Fact]:
    """Pair every assistant tool call with its ToolMessage result."""
    results = {m.tool_call_id: content_text(m.content) for m in messages if isinstance(m, ToolMessage)}
    facts = []
    for m in messages:
        if isinstance(m, AIMessage):
            for call in m.tool_calls:
                if call.get("id") in results:
                    answer = results[call["id"]].strip()[:MAX_ANSWER_CHARS]
                    facts.append(Fact("tool", call["name"], dict(call.get("args") or {}), answer))
    return facts


def _questions(fact: Fact, templates) -> list[str]:
    fill = dict(tool=fact.tool, args=_args_text(fact.args),
                argvals=", ".join(str(v) for v in fact.args.values()))
    return [t.format(**fill) for t in templates]


def build_examples(facts: Sequence[Fact], *, task: str | None = None, seed: int = 0
                   ) -> tuple[list[SleepExample], list[SleepExample]]:
    """Return ``(train, heldout)`` examples for ``facts``; held-out phrasings are never trained on."""
    train: list[SleepExample] = []
    heldout: list[SleepExample] = []
    for f in facts:
        train += [SleepExample(q, f.answer, "probe") for q in _questions(f, TRAIN_TEMPLATES)]
        heldout += [SleepExample(q, f.answer, "heldout") for q in _questions(f, HELDOUT_TEMPLATES)]
    if task:
        for q in ("What is your task?", "What were you asked to do?"):
            train.append(SleepExample(q, task[:MAX_ANSWER_CHARS], "task"))
    random.Random(seed).shuffle(train)
    return train, heldout


def facts_to_jsonable(facts: Sequence[Fact]) -> list[dict]:
    return [json.loads(json.dumps(asdict(f), default=str)) for f in facts]
