"""Eval tasks: a trajectory (chat messages with tool calls and results) and questions about it.

The same shape serves the procedural families (:mod:`evals.families`) and users' own tasks, read from
JSON Lines with :func:`load_tasks`. One task per line::

    {"id": "t1", "family": "custom",
     "messages": [
       {"role": "user", "content": "Look everyone up."},
       {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "lookup", "args": {"name": "Ana"}}]},
       {"role": "tool", "tool_call_id": "c1", "content": "{\\"name\\": \\"Ana\\", \\"city\\": \\"Tarnwick\\"}"}
     ],
     "questions": [{"question": "Where does Ana live?", "answer": "Tarnwick", "check": "contains", "style": "natural"}]}

``check`` is ``contains`` (the answer appears in the reply as whole words, or as a whole number),
``number`` (the answer's number is among the reply's whole-token numbers), ``exact`` (the reply,
final period aside, is the answer) or ``decline`` (a question about a name never seen: the reply
must decline); see :mod:`sleep_agent.scoring`. A reply that is a tool call is always wrong.
Optional per question: ``style`` (``template`` or ``natural``: how the question is phrased, reported
apart), ``category`` (a benchmark's own category, reported apart with token F1: LoCoMo's), ``depth`` (hops, default 1), ``window`` (which window the fact came
from, default 1), ``wrong`` (strings that must not appear, e.g. a value that was later updated),
``checkpoints`` (in scripted mode, also ask the question right after the window's k-th overflow -
a sleep, a store, a summary or a drop - for each k listed: recall across several sleeps).
Optional per task: ``budget`` (its context budget in tokens, instead of the run's).
A tool result whose content is a JSON object is a structured result (what the sleep turns into facts).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from sleep_agent.scoring import CHECKS, is_correct

__all__ = ["EvalTask", "EvalQuestion", "TaskFileError", "load_tasks", "check_answer", "CHECKS", "STYLES"]

STYLES = ("template", "natural")


class TaskFileError(ValueError):
    """A task file that cannot be used; the message names the line and the field."""


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    answer: str
    check: str = "contains"
    depth: int = 1
    window: int = 1
    wrong: tuple[str, ...] = ()
    checkpoints: tuple[int, ...] = ()  # also asked right after these overflows (scripted mode)
    style: str = "template"            # how it is phrased: "template" or "natural" (reported apart)
    category: str = ""                 # a benchmark's own question category (LoCoMo: "temporal", ...)


@dataclass
class EvalTask:
    id: str
    family: str
    messages: list[BaseMessage]
    questions: list[EvalQuestion]
    meta: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """This task as one line of the task-file format (:func:`load_tasks` reads it back)."""
        out = {"id": self.id, "family": self.family, "messages": [_message_json(m) for m in self.messages],
               "questions": [asdict(q) for q in self.questions]}
        if "budget" in self.meta:
            out["budget"] = self.meta["budget"]
        return out


def _message_json(m: BaseMessage) -> dict:
    if isinstance(m, AIMessage):
        return {"role": "assistant", "content": m.content,
                "tool_calls": [{"id": c["id"], "name": c["name"], "args": c["args"]} for c in m.tool_calls]}
    if isinstance(m, ToolMessage):
        return {"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content}
    return {"role": "user", "content": m.content}


def check_answer(reply: str, q: EvalQuestion) -> bool:
    """The one checker (:func:`sleep_agent.scoring.is_correct`) with the question's check and wrong values."""
    return is_correct(reply, q.answer, q.check, wrong=q.wrong)


def _message(d, where: str) -> BaseMessage:
    if not isinstance(d, dict):
        raise TaskFileError(f"{where}: a message must be an object, not {type(d).__name__}")
    role, content = d.get("role"), d.get("content", "")
    if not isinstance(content, str):
        raise TaskFileError(f"{where}.content: must be a string")
    if role == "user":
        return HumanMessage(content)
    if role == "assistant":
        calls = []
        for j, c in enumerate(d.get("tool_calls") or []):
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c.get("id"):
                raise TaskFileError(f"{where}.tool_calls[{j}]: needs 'id' and 'name'")
            args = c.get("args", c.get("arguments", {}))
            if isinstance(args, str):
                try:
                    args = json.loads(args)
                except ValueError:
                    raise TaskFileError(f"{where}.tool_calls[{j}].args: not valid JSON") from None
            if not isinstance(args, dict):
                raise TaskFileError(f"{where}.tool_calls[{j}].args: must be an object")
            calls.append({"id": str(c["id"]), "name": c["name"], "args": args, "type": "tool_call"})
        return AIMessage(content, tool_calls=calls)
    if role == "tool":
        if not d.get("tool_call_id"):
            raise TaskFileError(f"{where}.tool_call_id: required for a tool message")
        artifact = None
        try:
            parsed = json.loads(content)
            artifact = parsed if isinstance(parsed, dict) else None
        except ValueError:
            pass
        return ToolMessage(content, tool_call_id=str(d["tool_call_id"]), artifact=artifact)
    raise TaskFileError(f"{where}.role: must be user, assistant or tool, not {role!r}")


def _question(d, where: str) -> EvalQuestion:
    if not isinstance(d, dict):
        raise TaskFileError(f"{where}: a question must be an object")
    check = d.get("check", "contains")
    if check not in CHECKS:
        raise TaskFileError(f"{where}.check: must be one of {', '.join(CHECKS)}, not {check!r}")
    for key in ("question",) if check == "decline" else ("question", "answer"):
        if not isinstance(d.get(key), (str, int, float)) or str(d.get(key)).strip() == "":
            raise TaskFileError(f"{where}.{key}: required (a non-empty string)")
    style = d.get("style", "template")
    if style not in STYLES:
        raise TaskFileError(f"{where}.style: must be one of {', '.join(STYLES)}, not {style!r}")
    wrong = d.get("wrong", [])
    if not isinstance(wrong, list) or not all(isinstance(w, str) for w in wrong):
        raise TaskFileError(f"{where}.wrong: must be a list of strings")
    for key in ("depth", "window"):
        if not _positive(d.get(key, 1)):
            raise TaskFileError(f"{where}.{key}: must be a positive integer")
    checkpoints = d.get("checkpoints", [])
    if not isinstance(checkpoints, list) or not all(_positive(k) for k in checkpoints):
        raise TaskFileError(f"{where}.checkpoints: must be a list of positive integers (overflow counts)")
    category = d.get("category", "")
    if not isinstance(category, str):
        raise TaskFileError(f"{where}.category: must be a string")
    return EvalQuestion(str(d["question"]), str(d.get("answer", "")), check, d.get("depth", 1), d.get("window", 1),
                        tuple(wrong), tuple(sorted(set(checkpoints))), style, category)


def _positive(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 1


def load_tasks(path: str | Path) -> list[EvalTask]:
    """Tasks from a JSON Lines file; any problem raises :class:`TaskFileError` naming line and field."""
    tasks, seen = [], set()
    for n, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            d = json.loads(line)
        except ValueError as e:
            raise TaskFileError(f"{where}: not valid JSON ({e})") from None
        if not isinstance(d, dict):
            raise TaskFileError(f"{where}: each line must be a JSON object")
        if not isinstance(d.get("id"), str) or not d["id"]:
            raise TaskFileError(f"{where}: field 'id' is required (a non-empty string)")
        if d["id"] in seen:
            raise TaskFileError(f"{where}: field 'id' {d['id']!r} repeats an earlier task")
        seen.add(d["id"])
        msgs, qs = d.get("messages"), d.get("questions")
        if not isinstance(msgs, list) or not msgs:
            raise TaskFileError(f"{where}: field 'messages' is required (a non-empty list)")
        if not isinstance(qs, list) or not qs:
            raise TaskFileError(f"{where}: field 'questions' is required (a non-empty list)")
        messages = [_message(m, f"{where}: messages[{i}]") for i, m in enumerate(msgs)]
        ids = {c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
        for i, m in enumerate(messages):
            if isinstance(m, ToolMessage) and m.tool_call_id not in ids:
                raise TaskFileError(f"{where}: messages[{i}].tool_call_id {m.tool_call_id!r} answers no tool call")
        if "budget" in d and not (_positive(d["budget"]) and d["budget"] >= 256):
            raise TaskFileError(f"{where}: field 'budget' must be an integer >= 256 "
                                "(tokens, the least AgentSettings allows)")
        tasks.append(EvalTask(d["id"], str(d.get("family", "custom")), messages,
                              [_question(q, f"{where}: questions[{i}]") for i, q in enumerate(qs)],
                              meta={"budget": d["budget"]} if "budget" in d else {}))
    if not tasks:
        raise TaskFileError(f"{path}: no tasks (the file is empty)")
    return tasks
