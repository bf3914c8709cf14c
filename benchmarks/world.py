"""A scripted world for the retention benchmark: made-up people and the companies they work for.

Each person has a ``city`` and an ``employer``; each company a ``headquarters`` and an ``industry``.
Employers are companies of the same world, so 2-hop questions exist ("the headquarters of the
employer of X"). All names are random strings, so no model knows them beforehand.

The trajectory is what an agent would have left in its window after looking everybody up, in one of
three forms (:data:`FORMS`), each call preceded by a short line of the agent's reasoning:

- ``json``: one ``lookup(name=...)`` call per entity with its JSON result (and the same dict as the
  ToolMessage's artifact);
- ``nested``: ``read_page(page=k)`` calls, each returning ``{"page": k, "of": n, "records": [...]}``
  with :data:`PAGE_SIZE` records inside, as a paginated API does; no artifact;
- ``prose``: one ``lookup`` call per entity returning a short plain-text paragraph - varied sentences
  with filler, not the field names (``industry`` reads "Its line of business is brewing" or "It
  trades in brewing"); no artifact (:mod:`sleep_agent_evals.forms`).

Every fact is asked twice, in the eval phrasings of :mod:`sleep_agent.consolidation.phrasings`
(never trained on, never asked by validation): the templated form (``style="template"``) and the
hand-written natural question (``style="natural"``, from the ``test`` split unless told otherwise).

Example::

    >>> w = World(seed=1)
    >>> len(w.facts_1hop()), len(w.facts_2hop())
    (96, 64)
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from sleep_agent.consolidation.anchors import unknown_name
from sleep_agent.consolidation.phrasings import eval_question, natural
from sleep_agent_evals.forms import FORMS, check_form, nested, prose

__all__ = ["FORMS", "PAGE_SIZE", "World", "Question", "TASK"]

PAGE_SIZE = 4  # records per page in the nested form

TASK = "Look up every person and company in the registry and keep track of what you learn."
_INDUSTRIES = ("textiles", "shipping", "mining", "printing", "brewing", "glassware", "timber", "pottery",
               "salt trade", "rope making", "dyeing", "tanning", "milling", "masonry")
_PLACE_ENDINGS = ("wick", "by", "mere", "stead", "ford", "holm", "gate", "thorpe", "vale", "mouth")
_COMPANY_ENDINGS = ("Works", "Guild", "Company", "Holdings", "Brothers", "Cooperative")


@dataclass(frozen=True)
class Question:
    text: str
    answer: str
    hops: int
    subject: str
    style: str = "template"  # "template" or "natural" (see sleep_agent.consolidation.phrasings)


@dataclass
class World:
    """``people`` persons and ``companies`` companies (``people`` facts x2 + ``companies`` x2 one-hop)."""

    seed: int = 0
    people: int = 16
    companies: int = 8
    exclude: frozenset = frozenset()          # names used by other worlds (multi-window runs)
    form: str = "json"                        # how tool results are delivered (FORMS)
    records: list[dict] = field(init=False)   # companies first, then people

    def __post_init__(self):
        check_form(self.form)
        rng = random.Random(f"world-{self.seed}")
        used = {n.lower() for n in self.exclude}

        def fresh(make) -> str:
            while (name := make()).lower() in used:
                pass
            used.add(name.lower())
            return name

        syl = lambda: unknown_name(rng).split()[1]  # noqa: E731  one made-up word
        companies = [{"name": fresh(lambda: f"{syl()} {rng.choice(_COMPANY_ENDINGS)}"),
                      "headquarters": fresh(lambda: syl() + rng.choice(_PLACE_ENDINGS)),
                      "industry": _INDUSTRIES[i % len(_INDUSTRIES)]}
                     for i in range(self.companies)]
        rng.shuffle(companies)
        people = [{"name": fresh(lambda: unknown_name(rng)),
                   "city": fresh(lambda: syl() + rng.choice(_PLACE_ENDINGS)),
                   "employer": companies[i % self.companies]["name"]}
                  for i in range(self.people)]
        self.records = companies + people

    @property
    def names(self) -> list[str]:
        return [r["name"] for r in self.records]

    def trajectory(self) -> list[BaseMessage]:
        """The task, then per record (people first) or per page: a reasoning line, the call, its result."""
        order = self.records[self.companies:] + self.records[:self.companies]
        msgs: list[BaseMessage] = [HumanMessage(TASK)]
        if self.form == "nested":
            pages = [order[i:i + PAGE_SIZE] for i in range(0, len(order), PAGE_SIZE)]
            for k, page in enumerate(pages, start=1):
                call = {"name": "read_page", "args": {"page": k}, "id": f"call_{self.seed}_{k}", "type": "tool_call"}
                msgs.append(AIMessage(f"Next I read page {k} of the registry.", tool_calls=[call]))
                body = json.dumps(nested(page, k, len(pages)))
                msgs.append(ToolMessage(body, tool_call_id=call["id"], name="read_page"))
            return msgs
        rng = random.Random(f"prose-{self.seed}")
        for i, rec in enumerate(order):
            call = {"name": "lookup", "args": {"name": rec["name"]}, "id": f"call_{self.seed}_{i}",
                    "type": "tool_call"}
            why = ("Next I look up the company " if "industry" in rec else "Next I look up the person ")
            msgs.append(AIMessage(f"{why}{rec['name']}.", tool_calls=[call]))
            if self.form == "prose":
                msgs.append(ToolMessage(prose(rec, rng), tool_call_id=call["id"], name="lookup"))
            else:
                msgs.append(ToolMessage(json.dumps(rec), tool_call_id=call["id"], name="lookup", artifact=rec))
        return msgs

    @staticmethod
    def _ask(kind: str, relation: str, subject: str, answer: str, hops: int, split: str) -> list[Question]:
        out = [Question(eval_question(kind, relation, subject), answer, hops, subject, "template")]
        if (text := natural(relation, subject, split)) is not None:
            out.append(Question(text, answer, hops, subject, "natural"))
        return out

    def facts_1hop(self, split: str = "test") -> list[Question]:
        return [q for r in self.records for k, v in r.items() if k != "name"
                for q in self._ask("attribute", k, r["name"], v, 1, split)]

    def facts_2hop(self, split: str = "test") -> list[Question]:
        by_name = {r["name"]: r for r in self.records}
        out = []
        for person in self.records[self.companies:]:
            company = by_name[person["employer"]]
            for k in ("headquarters", "industry"):
                out += self._ask("chain", f"{k} of the employer", person["name"], company[k], 2, split)
        return out
