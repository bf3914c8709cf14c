"""Sleep data: facts as question/answer examples to train the adapter on, and replayed agent turns.

Raw next-token replay of a trajectory retains almost nothing (0% held-out recall at every N in the
project's first probes); paraphrased questions about it with their answers, in the chat template
used when awake, do. The facts come from :mod:`.extract` (records, stated relations, entity
sentences, tool calls), :mod:`.self_study` (generated questions about free text) and :mod:`.derive`
(2-hop chains, totals); here each becomes examples:
``Fact("attribute", "Samor Fenkarin", "city", "Ostrava Fell")`` gives
Q "What is the city of Samor Fenkarin?"  A "The city of Samor Fenkarin is Ostrava Fell."

Each fact gets several training phrasings and held-out phrasings that are never trained on, so
validation measures recall rather than memorised surface form; benchmarks and evals ask in a third
set of words (:mod:`.phrasings`).
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from ..names import DATA_PARTS, DataPart
from .facts import Fact
from .phrasings import SHARED_FORMS, TRAIN, VALIDATION, chain_possessive
from .sources import is_failed_result

__all__ = ["QA_SYSTEM_PROMPT", "WRITE_WORDS", "Fact", "SleepExample", "build_examples", "behavior_examples",
           "is_write_tool"]

# The system prompt of every question/answer example, of validation and of recall: the form the sleep
# trains. Short on purpose: sleep time is proportional to tokens, and the agent's own prompt with tool
# schemas would be most of each example.
QA_SYSTEM_PROMPT = "You are a helpful assistant."



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
    kind: str = ""  # a held-out example's fact kind: how validation checks the reply (validation.recalled)

    def __post_init__(self):
        if self.part not in DATA_PARTS:
            raise ValueError(f"unknown sleep data part {self.part!r}: one of {', '.join(DATA_PARTS)}")

    def to_dict(self) -> dict:
        row = asdict(self)
        if not row["kind"]:  # only held-out examples carry one: sleep-data rows stay as they were
            del row["kind"]
        return row


def build_examples(facts: Sequence[Fact], *, seed: int = 0) -> tuple[list[SleepExample], list[SleepExample]]:
    """Return ``(train, heldout)`` examples; held-out phrasings are never trained on.

    The task itself is not trained on: it stays pinned in the window, and training "what is your
    task?" made the 0.5B model recite the task instead of continuing it after waking.
    """
    train: list[SleepExample] = []
    heldout: list[SleepExample] = []
    shared = _shared_forms(facts)
    for i, f in enumerate(facts):
        trained, held = shared.get(i, TRAIN[f.kind]), VALIDATION[f.kind]
        fill = {"subject": f.subject, "relation": f.relation}
        answer = f.statement()
        part = "chain" if f.kind == "chain" else "probe"
        questions = [t.format(**fill) for t in trained] + [q for q in f.questions if q]
        if f.kind == "chain":
            questions += chain_possessive(f.relation, f.subject)
        train += [SleepExample(q, answer, part, subject=f.subject, relation=f.relation)
                  for q in dict.fromkeys(questions)]
        heldout += [SleepExample(t.format(**fill), f.answer, "heldout", subject=f.subject, relation=f.relation,
                                 kind=f.kind) for t in held]
    random.Random(seed).shuffle(train)
    return train, heldout


def _shared_forms(facts: Sequence[Fact]) -> dict[int, list[str]]:
    """The training forms of each fact of a :data:`.phrasings.SHARED_FORMS` kind, by index: the k facts
    of one speaker and answer (a line under k topics) share the kind's T forms, fact i % k taking form
    i % T for i < max(k, T). E.g. 2 topics x 3 forms: 3 examples, not 6; 6 topics: 6, one form each."""
    lines: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        if f.kind in SHARED_FORMS:
            lines[(f.kind, f.subject, f.answer)].append(i)
    out: dict[int, list[str]] = {}
    for (kind, _, _), keys in lines.items():
        forms = TRAIN[kind]
        for n in range(max(len(keys), len(forms))):
            out.setdefault(keys[n % len(keys)], []).append(forms[n % len(forms)])
    return out


# A tool whose name holds one of these words (split at "_", "-" and case changes) changes something
# outside the agent. Its calls are never replayed: a write that text injected through a file the agent
# read talked it into must not become a habit of the adapter. Trap: a user's tool that writes under
# another name ("commit", "deploy") is replayed; add its word here.
WRITE_WORDS = frozenset({"write", "delete", "remove", "create", "update", "append", "move", "rename", "send",
                         "post", "put", "set", "save", "edit", "notes", "note", "exec", "run", "shell", "upload"})


def is_write_tool(name: str) -> bool:
    """Whether the tool ``name`` changes something (see :data:`WRITE_WORDS`)."""
    words = re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", name)
    return any(w.lower() in WRITE_WORDS for w in words)


def _replayable(turn: Sequence[BaseMessage]) -> bool:
    """A tool-call turn whose every call ran, succeeded and reads rather than writes."""
    call, results = turn[0], {m.tool_call_id: m for m in turn[1:] if isinstance(m, ToolMessage)}
    return bool(call.tool_calls) and all(
        c.get("id") in results and not is_failed_result(results[c.get("id")]) and not is_write_tool(c["name"])
        for c in call.tool_calls)


def behavior_examples(messages: Sequence[BaseMessage], system_prompt: str, *, max_examples: int = 2,
                      history_turns: int = 1) -> list[SleepExample]:
    """Replay of the agent's last tool-call turns, each with the task and ``history_turns`` turns before it.

    Only turns whose calls all succeeded and none of which writes (:func:`is_write_tool`) are replayed.
    """
    from ..turns import group_turns
    from ..models.messages import to_template_dicts

    head = [m for m in messages[:1] if not isinstance(m, (AIMessage, ToolMessage))]  # the task
    turns = group_turns(messages[len(head):])
    out = []
    for i, turn in enumerate(turns):
        if isinstance(turn[0], AIMessage) and _replayable(turn):
            window = [m for t in turns[max(0, i - history_turns):i] for m in t]
            msgs = [{"role": "system", "content": system_prompt}] + to_template_dicts(head + window + [turn[0]])
            out.append(SleepExample("", "", "behavior", json.dumps(msgs, ensure_ascii=False)))
    return out[-max_examples:]
