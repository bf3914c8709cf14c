"""A seeded archive of made-up people, read one record at a time: the demo's world.

``next_record()`` returns the next record as a sentence for the model, with the same facts as a
structured artifact (``ToolMessage.artifact = {"name": ..., "city": ..., "job": ...}``) that the sleep
turns into exact question/answer pairs. Each record can be read only once, like a paginated feed. Names and facts are
random, so the model cannot know them beforehand; once a record has left the window, the agent
must answer from memory (for the sleep memory: from its adapter weights).

Example::

    >>> archive = RecordArchive(seed=7, size=10)
    >>> archive.next_record()
    ('Record 1 of 10: Samor Fenkarin lives in Ostrava Fell and works as a cartographer. Next: call next_record for record 2.',
     {'name': 'Samor Fenkarin', 'city': 'Ostrava Fell', 'job': 'cartographer'})
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel

__all__ = ["RecordArchive", "Person"]

_SYLLABLES = ("vo", "ka", "rin", "tel", "mor", "zi", "quo", "bra", "nel", "thu", "sa", "dro", "fen", "lu", "gar", "pim")
_CITIES = ("Tarnwick", "Olvesby", "Quenmar", "Dreslow", "Halvik", "Pemberon", "Yastel", "Corrine Bay",
           "Ostrava Fell", "Marrowgate", "Selbury", "Kintmoor")
_JOBS = ("glassblower", "cartographer", "beekeeper", "locksmith", "ferryman", "astronomer", "weaver",
         "apothecary", "stonemason", "clockmaker", "falconer", "brewer")


@dataclass(frozen=True)
class Person:
    name: str
    city: str
    job: str


def _name(rng: random.Random) -> str:
    word = lambda n: "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()  # noqa: E731
    return f"{word(2)} {word(3)}"


class _NoArgs(BaseModel):
    pass


class RecordArchive:
    def __init__(self, seed: int = 0, size: int = 10):
        rng = random.Random(seed)
        people: dict[str, Person] = {}
        while len(people) < size:
            n = _name(rng)
            people.setdefault(n, Person(n, rng.choice(_CITIES), rng.choice(_JOBS)))
        self.people = list(people.values())
        self.position = 0  # records read so far

    def next_record(self) -> tuple[str, dict | None]:
        if self.position >= len(self.people):
            return (f"No more records: all {len(self.people)} have been read. "
                    "Now give the final answer to the task.", None)
        p = self.people[self.position]
        self.position += 1
        text = (f"Record {self.position} of {len(self.people)}: {p.name} lives in {p.city} "
                f"and works as a {p.job}.")
        if self.position < len(self.people):  # like a paginated API's "next" link
            text += f" Next: call next_record for record {self.position + 1}."
        return text, {"name": p.name, "city": p.city, "job": p.job}

    def tool(self) -> BaseTool:
        return StructuredTool.from_function(
            self.next_record, name="next_record", args_schema=_NoArgs, response_format="content_and_artifact",
            description="Read the next record of the archive (a person's name, city and job). "
                        "Records come in order and each can be read only once.")
