"""Does the base model know a name? Its own surprisal says so, whatever the question's wording.

The entity gate (:mod:`.gate`) sends a question that names no consolidated entity to the base model.
Told and shown how to decline, a 0.5B model still answers some made-up names ("Give me Drodro
Drovothu's industry." gets an industry), and the same worked examples make it refuse real ones
("Who founded Amazon?" -> "I have no record of Amazon."): prompting trades one for the other.
The model's next-token probabilities separate the two cleanly: after a name's first token, a
well-known name is nearly certain ("Mona" -> " Lisa": 0.0 nats) while a made-up one stays surprising
at every token ("Drodro" -> " Drovothu": 53 nats). A capitalised name whose surprisal beyond its
first token passes :data:`UNFAMILIAR_NATS` is one the model does not know, so the agent declines it
without asking the model at all.

Example::

    >>> unfamiliar_names(runtime, "Who founded Amazon?")              # doctest: +SKIP
    []
    >>> unfamiliar_names(runtime, "What industry is Vomor Thuthusa in?")  # doctest: +SKIP
    ['Vomor Thuthusa']
"""

from __future__ import annotations

import re

from ..models.compute_thread import on_compute_thread

__all__ = ["UNFAMILIAR_NATS", "name_spans", "name_surprisal", "unfamiliar_names"]

# Surprisal (nats) of a name's tokens after its first, above which the model does not know the name.
# On the dev set of benchmarks/decline_shots.py (qwen2.5-coder-0.5b) 20 of its made-up names scored
# 35.7-53.8 and the 19 names in its general questions (Microsoft, Mona Lisa, Portugal, Albert Einstein,
# Volkswagen, ...) 0.0-2.4: 15 sits well inside the gap. The first token is left out because it
# carries the question's surprise ("Who founded" -> " Amazon": 9 nats) rather than the name's.
# Trap: tuned on the 0.5B only; a lower-case or one-token made-up name scores ~0 and is not caught.
UNFAMILIAR_NATS = 15.0
# A run of capitalised words ("Vomor Thuthusa", "Mona Lisa"); a possessive "'s" is not part of it.
_NAME = re.compile(r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*")


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the capitalised word runs in ``text`` (question words included: they
    are single common tokens, so their surprisal beyond the first token is ~0)."""
    return [m.span() for m in _NAME.finditer(text)]


def name_surprisal(runtime, text: str) -> list[tuple[str, float]]:
    """Each name in ``text`` with the base model's surprisal (nats) of its tokens after the first.

    One forward pass over ``text`` as plain text (no chat template: the question is what is
    scored), with whatever adapter is active: call it inside ``runtime.adapter_disabled()`` to ask
    the base model.
    """
    import torch

    spans = name_spans(text)
    if not spans:
        return []
    enc = runtime.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]      # ids: [T], offsets: [T] of (start, end)
    def forward():  # on the model's compute thread (models/compute_thread.py)
        with torch.no_grad():
            return runtime.model(input_ids=torch.tensor([ids], device=runtime.base_model.device)).logits[0]

    logits = on_compute_thread(forward)                                                                   # [T, V]
    logp = torch.log_softmax(logits[:-1].float(), dim=-1)                                                 # [T-1, V]
    nll = [0.0] + (-logp[torch.arange(len(ids) - 1), torch.tensor(ids[1:])]).tolist()  # token 0 has no prefix
    out = []
    for start, end in spans:
        inside = [i for i, (s, e) in enumerate(offsets) if s < end and e > start]
        out.append((text[start:end], round(sum(nll[i] for i in inside[1:]), 1)))
    return out


def unfamiliar_names(runtime, text: str, threshold: float = UNFAMILIAR_NATS) -> list[str]:
    """The names in ``text`` the active model does not know (see :data:`UNFAMILIAR_NATS`)."""
    return [name for name, nats in name_surprisal(runtime, text) if nats > threshold]
