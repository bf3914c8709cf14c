"""LoCoMo (Maharana et al., ACL 2024) as eval tasks: a long conversation read page by page, then its questions.

The benchmark memory peers report on (Mem0, Zep, LangMem, Letta, A-Mem). Its files are CC BY-NC: read
them from where they are (``../shared/benchmarks/locomo/`` or a user's path), never copy them into the
repository. One conversation becomes one task:

- the trajectory: the agent reads the conversation session by session, page by page, through a
  ``read_conversation(session, part)`` tool whose results are plain text with the session's date; a
  shared photo appears as its caption ("[shares a photo: a dog on a beach]");
- the questions, by category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial:
  the right answer is that it was not said, so the reply must decline; the distractor LoCoMo gives as
  ``adversarial_answer`` counts as wrong). All are natural questions written by people. Each item is
  scored as the paper does, token F1 (:func:`sleep_agent.scoring.token_f1`; multi-hop answers part by
  part), and by the project's contains-check; category 5 by whether the reply declined.

``sessions=K`` keeps the first K sessions and only the questions whose evidence (``D<session>:<turn>``,
also written "D8:6; D9:17") lies in them; a question without evidence is kept only when all sessions
are. ``questions=Q`` keeps the first Q of those.

Example::

    >>> task = load_locomo("../shared/benchmarks/locomo/conv-30.json", sessions=3, questions=20)
    >>> len(task.questions), task.questions[0].category
    (20, 'temporal')
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from .tasks import EvalQuestion, EvalTask, TaskFileError

__all__ = ["CATEGORIES", "LOCOMO_BUDGET", "PAGE_TURNS", "TOOL", "load_locomo"]

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
PAGE_TURNS = 8   # turns per page: ~150-300 tokens, so a session is 2-4 tool results, not one huge one
LOCOMO_BUDGET = 2048  # the eval's default context budget: a window holds several pages before it sleeps
TOOL = "read_conversation"
_EVIDENCE = re.compile(r"D(\d+):(\d+)")


def _sessions(conv: dict) -> list[tuple[int, str, list[dict]]]:
    """``(k, date, turns)`` for every ``session_K`` in order."""
    keys = sorted((int(m.group(1)), key) for key in conv if (m := re.fullmatch(r"session_(\d+)", key)))
    return [(k, str(conv.get(f"session_{k}_date_time", "")), conv[key]) for k, key in keys
            if isinstance(conv[key], list)]


def _line(turn: dict) -> str:
    text = str(turn.get("text", "")).strip()
    caption = turn.get("blip_caption")
    photo = f" [shares a photo: {caption}]" if caption else ""
    return f"{turn.get('speaker', '?')}: {text}{photo}"


def _pages(k: int, date: str, turns: list[dict]) -> list[str]:
    chunks = [turns[i:i + PAGE_TURNS] for i in range(0, len(turns), PAGE_TURNS)] or [[]]
    return [f"Session {k} ({date}), part {p} of {len(chunks)}:\n" + "\n".join(_line(t) for t in chunk)
            for p, chunk in enumerate(chunks, 1)]


def _evidence_sessions(item: dict) -> list[int]:
    refs = item.get("evidence") or []
    refs = [refs] if isinstance(refs, str) else refs
    return [int(m.group(1)) for ref in refs for m in _EVIDENCE.finditer(str(ref))]


def _question(item: dict, where: str) -> EvalQuestion | None:
    category = item.get("category")
    if category not in CATEGORIES or not str(item.get("question", "")).strip():
        raise TaskFileError(f"{where}: needs 'question' and 'category' 1-5, got {item!r:.200}")
    if category == 5:
        wrong = item.get("adversarial_answer")
        return EvalQuestion(str(item["question"]), "", "decline", style="natural", category=CATEGORIES[5],
                            wrong=(str(wrong),) if wrong not in (None, "") else ())
    if item.get("answer") in (None, ""):
        return None  # a few releases leave an answer out: nothing to score against
    return EvalQuestion(str(item["question"]), str(item["answer"]), "contains", style="natural",
                        category=CATEGORIES[category], depth=2 if category == 1 else 1)


def load_locomo(path: str | Path, *, sessions: int | None = None, questions: int | None = None) -> EvalTask:
    """One LoCoMo conversation file as an :class:`EvalTask` (see the module docstring)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TaskFileError(f"{path}: not a readable LoCoMo JSON file ({e})") from None
    conv = data.get("conversation", data) if isinstance(data, dict) else None
    if not isinstance(conv, dict) or not _sessions(conv) or not isinstance(data.get("qa"), list):
        raise TaskFileError(f"{path}: not a LoCoMo conversation (needs session_K lists and a 'qa' list)")
    kept = [s for s in _sessions(conv) if sessions is None or s[0] <= sessions]
    a, b = conv.get("speaker_a", "A"), conv.get("speaker_b", "B")
    messages = [HumanMessage(f"Read the conversation between {a} and {b} with {TOOL}, session by session and "
                             "part by part, and remember what they say: you will be asked about it.")]
    for k, date, turns in kept:
        for p, page in enumerate(_pages(k, date, turns), 1):
            cid = f"s{k}p{p}"
            messages += [AIMessage("", tool_calls=[{"id": cid, "name": TOOL, "args": {"session": k, "part": p},
                                                    "type": "tool_call"}]),
                         ToolMessage(page, tool_call_id=cid)]
    last = max(k for k, _, _ in kept)
    qs = []
    for i, item in enumerate(data["qa"]):
        where = f"{path}: qa[{i}]"
        if not isinstance(item, dict):
            raise TaskFileError(f"{where}: must be an object")
        refs = _evidence_sessions(item)
        if sessions is not None and (not refs or max(refs) > last):
            continue  # its evidence is (or may be) in a session not read
        if (q := _question(item, where)) is not None:
            qs.append(q)
    qs = qs[:questions] if questions else qs
    if not qs:
        raise TaskFileError(f"{path}: no question has its evidence in the first {sessions} session(s)")
    return EvalTask(f"locomo-{path.stem}" + (f"-s{sessions}" if sessions else ""), "locomo", messages, qs,
                    meta={"sessions": len(kept)})
