"""Ordinary names nobody in a task has seen: the realistic half of the "never seen" questions.

The generated names (:func:`sleep_agent.consolidation.anchors.unknown_name`) are easy to decline:
the same 16-syllable generator makes the sleep's own "no record" examples, and the familiarity
check (:mod:`sleep_agent.consolidation.familiar`) declines them on surprisal before any adapter is
asked. Ordinary first and last names and plausible companies are not surprising, so they test
whether the model declines what it was never told rather than what looks made up.

The lists were vetted against the base model (``python -m sleep_agent_benchmarks.vet_names``,
docs/unknown-names.md): a name the model completes as readily as a famous one (its surprisal beyond
the first token no higher than the highest of :data:`FAMOUS`) is dropped, so none is a famous name.

Example::

    >>> unknown_questions(2, split="test", seed=0)[0].check
    'decline'
"""

from __future__ import annotations

import random

from sleep_agent.consolidation.phrasings import eval_question, natural

from .tasks import EvalQuestion

__all__ = ["COMPANIES", "FAMOUS", "PEOPLE", "unknown_questions"]

# Vetted (docs/unknown-names.md). People get city/employer/mentor questions, companies
# headquarters/industry ones.
PEOPLE = (
    "Laura Bennett", "Marcus Hale", "Priya Raman", "Tomasz Nowicki", "Elena Vargas", "Daniel Okafor",
    "Sofia Lindqvist", "Kevin Marsh", "Hannah Keller", "Rafael Duarte", "Grace Whitfield", "Owen Gallagher",
    "Mei Tanaka", "Lucas Ferreira", "Nadia Petrova", "Samuel Reid", "Claire Dubois", "Ahmed Siddiqui",
    "Julia Brandt", "Peter Lindgren",
)
COMPANIES = (
    "Northgate Logistics", "Bramwell Foods", "Cedar Point Analytics", "Redfern Textiles", "Silverline Freight",
    "Oakridge Components", "Marston Brewing", "Halden Glassworks", "Kestrel Paper Mills", "Ferncliff Timber",
    "Ashby Tool Works", "Greyfield Ceramics",
)
# Names the base model knows, the yardstick of the vetting.
FAMOUS = ("Albert Einstein", "Barack Obama", "Taylor Swift", "Elon Musk", "Serena Williams", "Coca-Cola",
          "General Motors", "Mona Lisa", "Lionel Messi", "Volkswagen")
_PERSON_RELATIONS = ("city", "employer", "mentor")
_COMPANY_RELATIONS = ("headquarters", "industry")


def unknown_questions(count: int, *, split: str = "test", seed: int | str = 0,
                      exclude: frozenset[str] = frozenset()) -> list[EvalQuestion]:
    """``count`` questions about realistic names not in ``exclude``, half templated, half natural,
    each to be declined (``check="decline"``)."""
    rng = random.Random(f"realistic-unknown-{seed}")
    pool = [(n, _PERSON_RELATIONS) for n in PEOPLE] + [(n, _COMPANY_RELATIONS) for n in COMPANIES]
    pool = [p for p in pool if p[0].lower() not in {e.lower() for e in exclude}]
    rng.shuffle(pool)
    out = []
    for i, (name, relations) in enumerate(pool[:count]):
        relation = rng.choice(relations)
        text = natural(relation, name, split) if i % 2 else eval_question("attribute", relation, name)
        out.append(EvalQuestion(text, "", check="decline", style="natural" if i % 2 else "template"))
    return out
