"""Anchor examples mixed into every sleep: against forgetting and against hallucination.

Two kinds, against forgetting and against hallucination:

- **general**: everyday questions with their answers. Training on a few keeps the adapter from
  overwriting what the base model knows; a disjoint held-out list is the control measured after
  each sleep (``GENERAL_CONTROL``).
- **unknown**: questions about made-up entities the thread never saw, answered "I have no record of
  X." Without them the probes answered 92-100% of questions about unseen entities with a trained
  answer; the woken model must learn that its memory covers *these* names and no others.

Unknown names are drawn from the same syllable style as the archive's names, so the model has to
tell them apart by the name itself, not by how it looks.

Example::

    >>> unknown_examples(["Samor Fenkarin"], ["city"], count=2, seed=0)[0].answer
    'I have no record of ...'
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from ..scoring import is_correct
from .dataset import SleepExample
from .phrasings import TRAIN

__all__ = ["GENERAL_TRAIN", "GENERAL_CONTROL", "UNKNOWN_ANSWER", "general_examples", "general_correct",
           "unknown_examples", "unknown_name"]

# (question, answer). Short, stable facts a 0.5B model gets right without any adapter.
GENERAL_TRAIN: tuple[tuple[str, str], ...] = (
    ("What is the capital of France?", "The capital of France is Paris."),
    ("How many days are in a week?", "There are 7 days in a week."),
    ("What color is the sky on a clear day?", "The sky is blue on a clear day."),
    ("What is 2 plus 3?", "2 plus 3 is 5."),
    ("Which planet do we live on?", "We live on Earth."),
    ("What is the opposite of hot?", "The opposite of hot is cold."),
)
# Held out: never trained on; the general-knowledge control validation asks after a sleep (its first
# MAX_GENERAL). Answer: accepted answers, "|"-separated (one must appear as whole words; see
# general_correct). The retention benchmark asks more of the same kind (benchmarks/controls.py).
GENERAL_CONTROL: tuple[tuple[str, str], ...] = (
    ("What is the capital of Japan?", "Tokyo"),
    ("How many legs does a spider have?", "8|eight"),
    ("What is the largest ocean on Earth?", "Pacific"),
    ("What gas do plants absorb from the air?", "carbon dioxide|CO2|CO₂"),
    ("What is the freezing point of water in degrees Celsius?", "0|zero"),
    ("Which animal is known as the king of the jungle?", "lion"),
    ("What is the capital of Italy?", "Rome"),
    ("How many hours are in a day?", "24|twenty-four"),
    ("What is the chemical symbol for water?", "H2O|H₂O"),
    ("Who wrote Romeo and Juliet?", "Shakespeare"),
)
UNKNOWN_ANSWER = "I have no record of {subject}."
_SYLLABLES = ("vo", "ka", "rin", "tel", "mor", "zi", "quo", "bra", "nel", "thu", "sa", "dro", "fen", "lu",
              "gar", "pim")


# The training phrasings the "no record" anchors use: three of the four attribute ones (a change
# here changes every sleep's data, which tests/test_golden_sleep.py pins).
UNKNOWN_TRAIN = (TRAIN["attribute"][0], TRAIN["attribute"][2], TRAIN["attribute"][3])


def unknown_name(rng: random.Random) -> str:
    word = lambda n: "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()  # noqa: E731
    return f"{word(2)} {word(3)}"


def general_correct(reply: str, answer: str) -> bool:
    """``reply`` gives one of the "|"-separated accepted answers of a GENERAL_CONTROL item
    (whole words or whole numbers: "0" is not in "10", "ice" is not in "advice")."""
    return is_correct(reply, answer.split("|"))


def general_examples() -> list[SleepExample]:
    return [SleepExample(q, a, "general") for q, a in GENERAL_TRAIN]


def unknown_examples(known_subjects: Sequence[str], relations: Sequence[str], *, count: int,
                     seed: int = 0, templates: Sequence[str] = UNKNOWN_TRAIN,
                     forms: Mapping[str, Sequence[str]] | None = None) -> list[SleepExample]:
    """``count`` questions about names outside ``known_subjects``, each answered "I have no record",
    phrased with ``templates`` (the training phrasings; validation passes its own) and, for a
    relation with rephrased ``forms`` (:mod:`.rephrase`, ``{subject}`` only), those too: a wording
    trained only with known names taught the adapter that the wording, not the name, decides
    whether to answer (seed 1: every eval-template question about a known name declined)."""
    rng = random.Random(f"unknown-{seed}")
    known = {s.lower() for s in known_subjects}
    relations = list(relations) or ["details"]
    out: list[SleepExample] = []
    while len(out) < count:
        name = unknown_name(rng)
        if name.lower() in known:
            continue
        template, relation = rng.choice(list(templates)), rng.choice(relations)
        if extra := list((forms or {}).get(relation, ())):  # drawn only then: without forms, as before
            template = rng.choice([*templates, *extra])
        q = template.format(relation=relation, subject=name)
        out.append(SleepExample(q, UNKNOWN_ANSWER.format(subject=name), "unknown"))
    return out
