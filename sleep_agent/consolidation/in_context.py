"""Sleep examples asked after a window of turns: the woken model answers from its weights while it
reads text about other people and other values.

Why: trained only on bare question/answer pairs, the adapter answered bare questions right and copied
from the text when the same question came after a window. Measured on the ``small`` eval suite
(multihop, seed 0, sleep N=2, 2026-12-04): validation, asking with no context, recalled 8 of 8 new
facts; the eval, asking the same people after the remaining window as text (6 other records, as
:mod:`sleep_agent_evals.answering` and the agent's recall tool do), answered with a city from that window
("Zizirinmere", a later record's city, in 12 of the 28 1-hop replies). These examples
show the adapter that shape during the sleep: a trained question after the transcript of some turns of
the evicted window (:func:`~sleep_agent.models.messages.transcript`, under
:func:`~.answering.with_context`, exactly as asked when awake), the answer its own. The turns are a
random run of the window: often about other subjects (the distractor case), sometimes holding the
fact itself (then text and weights agree).

The questions are drawn from the new 1-hop *and* chain (2-hop) examples. Drawn from 1-hop ones alone
(until 2026-12-04), a chain question after the window was answered with the person's own city ("The
city of the mentor of X is <X's city>": 14, 18 and 5 of the 28 2-hop replies on the small suite's
multihop task, seeds 0-2, against 8, 8 and 8 before in-context examples). Our reading: the examples
taught "a question naming X after some text -> X's city", and a chain question names X too.

Issue #21 asks for such examples ("a question about an evicted fact arrives inside the agent's own
prompt") and for a cap: each is ~250-600 tokens against ~48 for a bare pair, so a sleep adds
:data:`SHARE` of its new examples, at most :data:`MAX_EXAMPLES`. Measured, that is a third of the
demo's first sleep's training tokens and 40-58% of agent-mode sleeps' (their contexts hold JSON
results). A cap at 15% of a sleep's tokens was tried (stop 42, 49c6411) and reverted: the demo ran
~25 s faster, but the small suite's multihop task (seed 0, scripted, 7 contexts instead of 20) got
3 of 28 2-hop questions right, against 11 when this was measured (89a04bf). They are trained once and
never replayed or stored (a stored context could hold a fact ``memory forget`` later removes).

Example::

    >>> in_context_examples(train, window, seed=0)[0].question
    'Earlier in this task:\\nUser: Look up every person...\\nResult of lookup: {...}\\n\\nWhere does Ana Lisk live?'
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from ..models.messages import transcript
from ..turns import group_turns
from .answering import with_context
from .dataset import SleepExample
from .sources import is_graph_note

__all__ = ["ASKED", "MAX_EXAMPLES", "SHARE", "TURNS", "in_context_examples"]

SHARE = 0.125      # in-context examples per new question/answer example: cost grows with what is learned
MAX_EXAMPLES = 20  # ...at most (a long window's sleep: 20 x ~250-600 tokens)
TURNS = 3          # agent turns (a call and its results) in each context: the eval's window holds ~6
ASKED = ("probe", "chain")  # the new questions drawn from: facts read from the window and their compositions


def in_context_examples(train: Sequence[SleepExample], messages: Sequence[BaseMessage], *, seed: int,
                        share: float = SHARE, max_examples: int = MAX_EXAMPLES) -> list[SleepExample]:
    """Some of ``train``'s new probe and chain examples asked after :data:`TURNS` turns of ``messages``
    (the evicted window; its first message, the task, opens every context). None when the window holds
    fewer tool turns than that."""
    rng = random.Random(seed)
    head = [m for m in messages[:1] if not isinstance(m, (AIMessage, ToolMessage))]
    turns = [t for t in group_turns(messages[len(head):]) if not any(is_graph_note(m) for m in t)]
    pool = [e for e in train if e.part in ASKED and e.subject]
    count = min(max_examples, math.ceil(share * len(pool)), len(pool))
    if len(turns) < TURNS or count <= 0:
        return []
    out = []
    for e in rng.sample(pool, count):
        start = rng.randrange(len(turns) - TURNS + 1)
        context = transcript(head + [m for t in turns[start:start + TURNS] for m in t])
        out.append(SleepExample(with_context(e.question, context), e.answer, "context", subject=e.subject,
                                relation=e.relation))
    return out
