"""A seeded archive of made-up people, read one record at a time: the demo's world.

``next_record()`` returns the thread's next record as a plain sentence, and nothing else: the sleep
reads the facts from the words (:mod:`sleep_agent.consolidation.statements`), as it must for any
tool. Each record can be read only once, like a paginated feed. After the last one the tool says so
and returns the artifact ``{"done": True}``: the agent's next model call then runs without tools, so
the model answers instead of calling again. Names and facts are random, so the model cannot know
them beforehand; once a record has left the window, the agent must answer from memory (for the
sleep memory: from its adapter weights).

Example::

    >>> archive = RecordArchive(seed=7, size=10)
    >>> archive.next_record()
    ('Record 1 of 10: Samor Fenkarin lives in Ostrava Fell and works as a cartographer. Next: call next_record for record 2.',
     None)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel

__all__ = ["DONE", "RecordArchive", "Person"]

# The artifact of a result after which there is nothing left to call for (sleep_agent.names.DONE_KEY).
DONE = {"done": True}

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
    """``size`` people (at most 12), each with a different city and job, so every answer is unambiguous."""

    def __init__(self, seed: int = 0, size: int = 10):
        if not 1 <= size <= len(_CITIES):
            raise ValueError(f"RecordArchive size must be 1..{len(_CITIES)}, not {size}")
        rng = random.Random(seed)
        names: list[str] = []
        while len(names) < size:
            if (n := _name(rng)) not in names:
                names.append(n)
        cities, jobs = rng.sample(_CITIES, size), rng.sample(_JOBS, size)
        self.people = [Person(n, c, j) for n, c, j in zip(names, cities, jobs)]
        self.positions: dict[str, int] = {}  # records read so far, per thread (one server, many threads)

    def position_of(self, thread_id: str = "default") -> int:
        return self.positions.get(thread_id, 0)

    @property
    def position(self) -> int:
        return self.position_of()

    def next_record(self, thread_id: str = "default") -> tuple[str, dict | None]:
        pos = self.positions.get(thread_id, 0)
        if pos >= len(self.people):
            return (f"No more records: all {len(self.people)} have been read. "
                    "Now give the final answer to the task.", DONE)
        p = self.people[pos]
        self.positions[thread_id] = pos = pos + 1
        text = f"Record {pos} of {len(self.people)}: {p.name} lives in {p.city} and works as a {p.job}."
        if pos < len(self.people):  # like a paginated API's "next" link
            text += f" Next: call next_record for record {pos + 1}."
        return text, None

    def tool(self) -> BaseTool:
        def next_record(config: RunnableConfig) -> tuple[str, dict | None]:
            thread = str((config.get("configurable") or {}).get("thread_id") or "default")
            return self.next_record(thread)

        return StructuredTool.from_function(
            next_record, name="next_record", args_schema=_NoArgs, response_format="content_and_artifact",
            description="Read the next record of the archive (a person's name, city and job). "
                        "Records come in order and each can be read only once.")
