"""The sleep: consolidate an evicted trajectory into the thread's adapter and publish a new version.

Order matters for crash safety: the caller has already written the trajectory to disk (write-ahead);
here the sleep data is built, the adapter trained, the result checked on held-out phrasings, and only
then published atomically (AdapterStore.publish) and activated. A crash before publish leaves the
previous version in force; the trajectory file lets the sleep be redone.

Example::

    >>> report = consolidate(runtime, AdapterStore("thread-1"), evicted_messages, config=SleepTrainConfig())
    >>> report.version, report.heldout_accuracy
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.messages import BaseMessage

from ..adapters import AdapterStore
from .dataset import SleepExample, behavior_examples, build_examples, extract_facts
from .trainer import SleepTrainConfig, save_trained_adapter, train_sleep

__all__ = ["SleepReport", "consolidate", "answer_question", "is_correct", "SLEEP_DATA_FILE"]

SLEEP_DATA_FILE = "sleep_data.jsonl"  # every example trained so far on this thread (for replay)
REPLAY_RATIO = 1.0                    # replayed old examples per new one: keeps old facts, bounds time
MIN_REPLAY = 16                       # ...but at least this many, so small sleeps still rehearse
MAX_VALIDATION = 8                    # held-out questions asked after training (about 1-2 s each on CPU)


@dataclass
class SleepReport:
    version: int
    facts: int
    data_parts: dict
    passes: int
    loss_curve: list[float]
    train_tokens: int
    heldout_accuracy: float | None
    seconds: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def is_correct(reply: str, answer: str) -> bool:
    """Loose match: the expected answer (or its first line) appears in the reply, case-insensitive."""
    reply, answer = reply.lower().strip(), answer.lower().strip()
    return bool(answer) and (answer in reply or answer.splitlines()[0] in reply)


def answer_question(runtime, question: str, system_prompt: str, max_new_tokens: int = 20) -> str:
    msgs = [{"role": "system", "content": system_prompt}, {"role": "user", "content": question}]
    # Answers are one short sentence: stop at its end instead of decoding max_new_tokens.
    return runtime.generate(runtime.render(msgs), max_new_tokens=max_new_tokens,
                            stop_check=lambda text: text.rstrip().endswith((".", "\n"))).text


def _trained_so_far(version) -> list[SleepExample]:
    """Every example the thread's adapter was trained on up to ``version`` (its sleep-data file)."""
    if version is None or not (version.path / SLEEP_DATA_FILE).is_file():
        return []
    rows = [json.loads(line) for line in (version.path / SLEEP_DATA_FILE).read_text().splitlines() if line]
    return [SleepExample(r["question"], r["answer"], r.get("part", "probe")) for r in rows]


def consolidate(runtime, store: AdapterStore, messages: Sequence[BaseMessage], *, config: SleepTrainConfig,
                span: tuple[int, int] | None = None,
                progress: Callable[[dict], None] | None = None) -> SleepReport:
    """Train the thread's adapter on ``messages`` and publish + activate a new version."""
    t0 = time.perf_counter()
    emit = progress or (lambda e: None)
    emit({"phase": "dataset", "seconds": 0.0})
    facts = extract_facts(messages)
    train, heldout = build_examples(facts, seed=config.seed)
    behavior = behavior_examples(messages, config.system_prompt) if config.tools else []
    previous = store.latest()
    earlier = _trained_so_far(previous)
    count = min(len(earlier), max(MIN_REPLAY, int(REPLAY_RATIO * len(train))))
    replay = [SleepExample(e.question, e.answer, "replay")
              for e in random.Random(config.seed + len(earlier)).sample(earlier, count)]
    examples = train + replay + behavior
    history = list(dict.fromkeys(earlier + train))  # the new version's sleep-data file (deduplicated)
    t_data = time.perf_counter()

    pm, result = train_sleep(runtime, examples, config, init_from=previous.path if previous else None,
                             progress=emit)
    t_train = time.perf_counter()

    emit({"phase": "validate", "seconds": round(t_train - t0, 1)})
    checked = heldout[:MAX_VALIDATION]
    with runtime.lock:
        correct = sum(is_correct(answer_question(runtime, ex.question, config.system_prompt), ex.answer)
                      for ex in checked)
    heldout_acc = round(correct / len(checked), 3) if checked else None
    t_val = time.perf_counter()

    emit({"phase": "publish", "seconds": round(t_val - t0, 1)})
    parts = {"probe": len(train), "replay": len(replay), "behavior": len(behavior), "heldout": len(heldout)}

    def write(dest: Path) -> None:
        save_trained_adapter(pm, dest)
        lines = [json.dumps(e.to_dict(), ensure_ascii=False) for e in history]
        (dest / SLEEP_DATA_FILE).write_text("\n".join(lines) + "\n")

    manifest = {
        "trajectory_span": list(span) if span else None,
        "facts": len(facts),
        "data_parts": parts,
        "passes": config.passes,
        "passes_done": result.passes_done,
        "lr": config.lr,
        "rank": config.rank,
        "loss_curve": result.loss_curve,
        "train_tokens": result.train_tokens,
        "validation": {"heldout_accuracy": heldout_acc, "heldout_checked": len(checked)},
        "seconds": {"dataset": round(t_data - t0, 2), "train": round(t_train - t_data, 2),
                    "validate": round(t_val - t_train, 2)},
    }
    version = store.publish(write, manifest)
    runtime.activate_adapter(version.path)
    seconds = dict(manifest["seconds"], total=round(time.perf_counter() - t0, 2))
    emit({"phase": "done", "version": version.version, "seconds": seconds["total"]})
    return SleepReport(version.version, len(facts), parts, config.passes, result.loss_curve,
                       result.train_tokens, heldout_acc, seconds)
