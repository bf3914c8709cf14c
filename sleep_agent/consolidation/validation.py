"""Validation after a sleep: is the new adapter better than keeping the previous one?

Three checks, each a short set of questions answered with no context (the adapter alone):

- ``heldout``: the new facts, asked in phrasings never trained on (recall, not surface form), each
  reply checked by :func:`recalled` (a transcript line by its date and words, else its answer's first
  line as whole words);
- ``retained``: earlier sleeps' facts, in their held-out phrasings (forgetting across sleeps);
- ``general``: everyday questions never trained on (the general-knowledge control), and
- ``unknown``: made-up names never seen, which should get "no record" (hallucination).

:func:`judge` compares the scores with the previous version's and with fixed references (the base
model's general score, the first version's unknown score: no ratchet) and returns the reasons to keep
the previous version, if any; a sleep none of whose new facts can be asked back is refused too. The sets are small (a
sleep on 2 CPU cores cannot afford more than ~20 s of questions), so one question is allowed to
flip before a drop counts: ``tolerance`` is in questions, not in fractions. All checks are asked in one
batched generation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from ..scoring import is_correct, is_decline
from .anchors import GENERAL_CONTROL, general_correct, unknown_examples
from .answering import answer_questions
from .conversation import said_recalled
from .dataset import SleepExample
from .phrasings import VALIDATION

__all__ = ["Scores", "gist", "judge", "recalled", "score"]

MAX_HELDOUT = 8    # new facts asked after training (about 1 s each on 2 CPU cores)
MAX_RETAINED = 4   # earlier facts asked
MAX_GENERAL = 6    # general-knowledge control questions
MAX_UNKNOWN = 4    # never-seen names asked


@dataclass
class Scores:
    heldout: float | None = None
    retained: float | None = None
    general: float | None = None
    unknown: float | None = None
    counts: dict = field(default_factory=dict)  # questions asked per check
    tool_calls: int = 0                         # replies that were a tool call (scored wrong)
    hit_budget: int = 0                         # replies cut by the answer budget
    per_fact: list = field(default_factory=list)  # each held-out question's fact and verdict (memory list)

    def to_dict(self) -> dict:
        return asdict(self)


def gist(answer: str) -> str:
    """What a short reply must say: the answer's first line (a tool's multi-line output cannot fit
    in one reply; its first line is what tells it apart)."""
    return (answer.strip().splitlines() or [""])[0]


def recalled(reply, kind: str, answer: str, question: str = "") -> bool:
    """Whether ``reply`` recalls a fact of ``kind`` whose answer is ``answer``, asked with ``question``:
    a ``said`` line by :func:`.conversation.said_recalled` (a line is too long to be said back word for
    word: its date and a third of its words), any other fact by its answer's first line (:func:`gist`) as
    whole words. The one check of validation and of ``sleep-agent inspect``'s probe."""
    if kind == "said":
        return said_recalled(reply, answer, question)
    return is_correct(reply, gist(answer))


def _rate(replies: Sequence, items: Sequence[tuple], tally: dict, verdicts: list | None = None) -> float | None:
    """The share of ``items`` (question, check of a reply) whose ``replies`` are right; each verdict
    appended to ``verdicts``."""
    if not items:
        return None
    tally["tool_calls"] += sum(r.tool_call for r in replies)
    tally["hit_budget"] += sum(r.hit_budget for r in replies)
    right = [bool(check(r)) for r, (_, check) in zip(replies, items)]
    if verdicts is not None:
        verdicts += right
    return round(sum(right) / len(items), 3)


def score(runtime, system_prompt: str, *, heldout: Sequence[SleepExample] = (),
          retained: Sequence[SleepExample] = (), known_subjects: Sequence[str] = (),
          relations: Sequence[str] = (), seed: int = 0) -> Scores:
    """Ask each check's questions of the runtime as it is now (adapter on, no context)."""
    heldout, retained = list(heldout)[:MAX_HELDOUT], list(retained)[:MAX_RETAINED]
    # A different seed from the trained unknown examples: these names were never seen either.
    unknown = [u.question for u in unknown_examples(known_subjects, relations, count=MAX_UNKNOWN,
                                                    seed=10_000 + seed, templates=VALIDATION["attribute"])
               ] if known_subjects else []

    def asked(e: SleepExample):  # a fact's question and the check of its reply
        return e.question, lambda reply: recalled(reply, e.kind, e.answer, e.question)

    checks = {"heldout": [asked(e) for e in heldout], "retained": [asked(e) for e in retained],
              "general": [(q, lambda reply, a=a: general_correct(reply, a))
                          for q, a in list(GENERAL_CONTROL)[:MAX_GENERAL]],
              "unknown": [(q, is_decline) for q in unknown]}
    # One batched generation for all four checks: asked check by check, each batch ran as long as its
    # longest reply, and validation cost ~21 s whatever the sleep's size (docs/sleep-cost.md).
    questions = [q for items in checks.values() for q, _ in items]
    with runtime.lock:
        replies = answer_questions(runtime, questions, system_prompt) if questions else []
    tally, verdicts, rates, at = {"tool_calls": 0, "hit_budget": 0}, [], {}, 0
    for name, items in checks.items():
        rates[name] = _rate(replies[at:at + len(items)], items, tally, verdicts if name == "heldout" else None)
        at += len(items)
    scores = Scores(**rates, counts={name: len(items) for name, items in checks.items()}, **tally)
    scores.per_fact = [{"subject": e.subject, "relation": e.relation, "question": e.question, "right": ok}
                       for e, ok in zip(heldout, verdicts)]
    return scores


def judge(new: Scores, previous: dict | None, *, base: dict | None = None, first: dict | None = None,
          tolerance: int = 1) -> list[str]:
    """Reasons to keep the previous version (empty: publish the new one).

    ``previous`` is the previous version's scores (``Scores.to_dict()``), or the base model's for a
    first sleep; ``base`` the base model's (measured before the thread's first sleep) and ``first``
    the thread's first version's. Vetoes:

    - ``general`` fell past ``tolerance`` from the previous version's *or* from the base model's: a
      check against the previous version alone is a ratchet (each sleep may lose one question, and
      after five sleeps five are gone with every one published); the previous version's score counts
      only up to the base's (what it answered beyond the base on an untrained control is not memory);
    - ``unknown`` (declining names never seen) fell from the previous or the first version's (the base
      is not asked: it has no consolidated names to tell the unknown ones from);
    - ``retained`` fell from the previous version's ``heldout`` (the same facts' recall when new);
    - ``heldout`` is 0: not one new fact can be asked back, so the sleep learned nothing usable.
    """
    if not previous and not base:
        return []
    reasons = []
    if new.heldout == 0 and new.counts.get("heldout"):
        reasons.append(f"held-out recall of the new facts is 0.00 ({new.counts['heldout']} questions): "
                       "nothing learned can be asked back")
    checks = (("general", "general", previous, "the previous version"), ("general", "general", base, "the base model"),
              ("unknown", "unknown", previous, "the previous version"),
              ("unknown", "unknown", first, "the first version"),
              ("retained", "heldout", previous, "the previous version"))
    base_general = (base or {}).get("general")
    for key, against, ref, name in checks:
        now, before = getattr(new, key), (ref or {}).get(against)
        if now is None or before is None:
            continue
        if key == "general" and ref is previous and base_general is not None and before > base_general:
            # The control is never trained on: what a version answers beyond the base model (adapters
            # of the small suite score 0.50-0.83 on it where the qwen2.5-coder-0.5b base scores 0.33)
            # is not knowledge the sleeps must keep, and falling back toward the base is not forgetting.
            # Capped at the base's, this check is the next one (against the base): skipped. Seen on the
            # small suite's recall task (seed 0): two sleeps refused for 0.83 -> 0.50, their windows lost.
            continue
        # Scores are rounded to 3 decimals (2/6 -> 0.333), so the margin absorbs the rounding: without
        # it a drop of exactly the tolerated one question was rejected.
        if now < before - tolerance / max(1, new.counts.get(key, 1)) - 1e-3:
            reason = f"{key} accuracy fell from {before:.2f} to {now:.2f}"
            reasons.append(reason if name == "the previous version" else f"{reason} ({name}'s)")
    return list(dict.fromkeys(reasons))
