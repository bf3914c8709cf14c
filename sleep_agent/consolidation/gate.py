"""Entity gate: use the adapter only for questions about entities the thread's sleeps consolidated.

A LoRA adapter trained on "X's city is Y" also answers "Z's city?" for a never-seen Z with a trained
city (42-67% of unknown-entity questions hallucinated even with "no record" examples), and it can
nudge general answers. The sleep knows exactly which entities it stored (every
example's ``subject``), so a question that names none of them is answered by the base model, which
keeps its general knowledge intact. The base model hallucinates about made-up names too (the 0.5B
model declined 19% of them unprompted, 44% when told to), so :func:`~.answering.answer_questions`
declines a name the base model finds unfamiliar before asking it anything (:mod:`.familiar`).

Example::

    >>> gate = EntityGate(["Samor Fenkarin"])
    >>> gate.allows("Which city is listed for samor fenkarin?"), gate.allows("What is the capital of Japan?")
    (True, False)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["EntityGate", "SUBJECTS_FILE"]

SUBJECTS_FILE = "sleep_data.jsonl"  # the version's sleep data; each row names its subject


class EntityGate:
    def __init__(self, subjects: Iterable[str]):
        # Lower-cased and longest first, so "Vo Ka" does not shadow "Vo Karin" in :meth:`matches`.
        self.subjects = sorted({" ".join(s.lower().split()) for s in subjects if s and s.strip()},
                               key=len, reverse=True)

    @classmethod
    def from_adapter(cls, folder: str | Path | None) -> "EntityGate":
        """The subjects recorded in an adapter version's sleep-data file (empty gate if none)."""
        path = Path(folder) / SUBJECTS_FILE if folder else None
        if path is None or not path.is_file():
            return cls([])
        rows = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
        return cls(r.get("subject", "") for r in rows)

    def matches(self, text: str) -> list[str]:
        """The known subjects named in ``text``, as whole words ("Ana" is not in "Canada")."""
        low = " ".join(text.lower().split())
        return [s for s in self.subjects if re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", low)]

    def allows(self, text: str) -> bool:
        """Does ``text`` name an entity the adapter knows about?"""
        return bool(self.matches(text))

    def __len__(self) -> int:
        return len(self.subjects)
