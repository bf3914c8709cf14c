"""Sleep data: turn an evicted trajectory into question/answer examples to train the adapter on.

Raw next-token replay of a trajectory retains almost nothing (0% held-out recall at every N in the
project's first probes); paraphrased questions about it with their answers, in the chat template
used when awake, do.
Facts come from the structured parts of the trajectory:

- a structured tool result - the ToolMessage's ``artifact`` when it is a dict (tools made with
  ``response_format="content_and_artifact"``), else content that parses as a JSON object - names an
  entity (its ``name``/``id``/first string field) and its attributes:
  ``{"name": "Samor Fenkarin", "city": "Ostrava Fell"}`` gives
  Q "What is the city of Samor Fenkarin?"  A "The city of Samor Fenkarin is Ostrava Fell."
- a tool call with arguments and its result gives
  Q "What did lookup return for entity=Zorblax?"  A "<the result>"
- derived implications (:func:`derive_chains`): when one fact's answer is another fact's subject
  (Ana's employer is Brightwell; Brightwell's headquarters is Tarnwick), the composed 2-hop fact
  "the headquarters of the employer of Ana is Tarnwick" is trained too. The adapter does not
  compose facts by itself (2-hop stayed at 0-8% with 1-hop training only, in the same probes):
  the composition has to happen while sleeping.

Each fact gets several training phrasings and one held-out phrasing that is never trained on, so
validation measures recall rather than memorised surface form; benchmarks and evals ask in a third
set of words (:mod:`.phrasings`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from ..models.messages import content_text
from ..names import DATA_PARTS, FACT_KINDS, DataPart, FactKind
from .phrasings import TRAIN, VALIDATION

__all__ = ["QA_SYSTEM_PROMPT", "Fact", "SleepExample", "extract_facts", "derive_chains", "build_examples",
           "behavior_examples"]

# The system prompt of every question/answer example, of validation and of recall: the form the sleep
# trains. Short on purpose: sleep time is proportional to tokens, and the agent's own prompt with tool
# schemas would be most of each example.
QA_SYSTEM_PROMPT = "You are a helpful assistant."

MAX_CHAINS = 64                 # derived 2-hop facts per sleep: they grow as a product of the facts
MAX_ANSWER_CHARS = 400          # long tool outputs are cut: the facts that matter come first
_ENTITY_KEYS = ("name", "title", "id", "entity", "key")  # which JSON field names the entity


@dataclass(frozen=True)
class Fact:
    """One thing learned: ``subject`` has ``relation`` = ``answer`` (``kind`` picks the phrasings)."""

    kind: FactKind
    subject: str
    relation: str
    answer: str

    def __post_init__(self):
        if self.kind not in FACT_KINDS:
            raise ValueError(f"unknown fact kind {self.kind!r}: one of {', '.join(FACT_KINDS)}")

    def statement(self) -> str:
        if self.kind in ("attribute", "chain"):
            return f"The {self.relation} of {self.subject} is {self.answer}."
        return self.answer


@dataclass(frozen=True)
class SleepExample:
    """A question/answer pair, or (``part="behavior"``) a replayed agent turn.

    A behavior example keeps the agent's own tool use in the adapter: ``conversation`` is the JSON
    list of chat-template messages ending with the assistant turn to learn (a tool call), rendered
    with the agent's tool schemas. Without them, question/answer-only sleeps taught the 0.5B model
    to state facts instead of calling tools after waking.
    """

    question: str
    answer: str
    part: DataPart  # which part of the sleep data (sleep_agent.names.DATA_PARTS)
    conversation: str = ""
    subject: str = ""  # the fact's entity (probes, held-out): what the adapter now knows about
    relation: str = ""  # the fact's relation: a later sleep that restates it replaces these examples

    def __post_init__(self):
        if self.part not in DATA_PARTS:
            raise ValueError(f"unknown sleep data part {self.part!r}: one of {', '.join(DATA_PARTS)}")

    def to_dict(self) -> dict:
        return asdict(self)


def _json_object(text: str):
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _attribute_facts(obj: dict) -> list[Fact]:
    scalars = {k: v for k, v in obj.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    key = next((k for k in _ENTITY_KEYS if isinstance(scalars.get(k), str)), None) or \
        next((k for k, v in scalars.items() if isinstance(v, str)), None)
    if key is None:
        return []
    subject = scalars.pop(key)
    return [Fact("attribute", subject, k.replace("_", " "), str(v)) for k, v in scalars.items()]


def extract_facts(messages: Sequence[BaseMessage]) -> list[Fact]:
    """Facts from every assistant tool call paired with its ToolMessage result (latest value wins)."""
    tool_msgs = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    facts: list[Fact] = []
    for m in messages:
        if not isinstance(m, AIMessage):
            continue
        for call in m.tool_calls:
            msg = tool_msgs.get(call.get("id"))
            if msg is None or not (result := content_text(msg.content).strip()):
                continue
            obj = msg.artifact if isinstance(msg.artifact, dict) else _json_object(result)
            attributes = _attribute_facts(obj) if obj is not None else []
            facts += attributes
            args = call.get("args") or {}
            # A structured result is fully covered by its attributes; a call fact would only repeat it
            # as a long answer. A call without arguments says nothing that tells its results apart.
            if args and not attributes:
                subject = ", ".join(f"{k}={v}" for k, v in args.items())
                facts.append(Fact("call", subject, call["name"], result[:MAX_ANSWER_CHARS]))
    return latest_values(facts)


def latest_values(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per (subject, relation): the last one stated wins (a value updated by later calls)."""
    last = {(f.kind, f.subject.lower(), f.relation): f for f in facts}
    return list(last.values())


def derive_chains(facts: Sequence[Fact], *, limit: int = MAX_CHAINS) -> list[Fact]:
    """2-hop facts: ``(s, r1, a)`` and ``(a, r2, b)`` give ``(s, "r2 of the r1", b)``.

    Matching is on the exact answer string (case-insensitive), so "Brightwell" the employer links to
    the record whose name is "Brightwell". Attributes only; at most ``limit``, in trajectory order.
    """
    by_subject: dict[str, list[Fact]] = {}
    for f in facts:
        if f.kind == "attribute":
            by_subject.setdefault(f.subject.lower(), []).append(f)
    chains: list[Fact] = []
    for f in facts:
        if f.kind != "attribute":
            continue
        for g in by_subject.get(f.answer.lower(), []):
            if g.subject.lower() != f.subject.lower() and len(chains) < limit:
                chains.append(Fact("chain", f.subject, f"{g.relation} of the {f.relation}", g.answer))
    return list(dict.fromkeys(chains))


def build_examples(facts: Sequence[Fact], *, seed: int = 0) -> tuple[list[SleepExample], list[SleepExample]]:
    """Return ``(train, heldout)`` examples; held-out phrasings are never trained on.

    The task itself is not trained on: it stays pinned in the window, and training "what is your
    task?" made the 0.5B model recite the task instead of continuing it after waking.
    """
    train: list[SleepExample] = []
    heldout: list[SleepExample] = []
    for f in facts:
        trained, held = TRAIN[f.kind], VALIDATION[f.kind]
        fill = asdict(f)
        answer = f.statement()
        part = "chain" if f.kind == "chain" else "probe"
        train += [SleepExample(t.format(**fill), answer, part, subject=f.subject, relation=f.relation)
                  for t in trained]
        heldout += [SleepExample(t.format(**fill), f.answer, "heldout", subject=f.subject, relation=f.relation)
                    for t in held]
    random.Random(seed).shuffle(train)
    return train, heldout


def behavior_examples(messages: Sequence[BaseMessage], system_prompt: str, *, max_examples: int = 2,
                      history_turns: int = 1) -> list[SleepExample]:
    """Replay of the agent's last tool-call turns, each with the task and ``history_turns`` turns before it."""
    from ..turns import group_turns
    from ..models.messages import to_template_dicts

    head = [m for m in messages[:1] if not isinstance(m, (AIMessage, ToolMessage))]  # the task
    turns = group_turns(messages[len(head):])
    out = []
    for i, turn in enumerate(turns):
        if isinstance(turn[0], AIMessage) and turn[0].tool_calls:
            window = [m for t in turns[max(0, i - history_turns):i] for m in t]
            msgs = [{"role": "system", "content": system_prompt}] + to_template_dicts(head + window + [turn[0]])
            out.append(SleepExample("", "", "behavior", json.dumps(msgs, ensure_ascii=False)))
    return out[-max_examples:]
