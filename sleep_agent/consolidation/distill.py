"""Context distillation for sleep: the teacher reads the window, the student must answer without it.

An option of the sleep trainer (``SleepTrainConfig.distill``). Teacher: the same model with the
trajectory window in its context and the adapter disabled. Student: no window, the thread's adapter
on. On each question about the new window, the student's next-token distribution over the answer
tokens is pulled towards the teacher's (top-k, renormalised), mixed with the usual cross-entropy
on the written answer. This is context distillation (Askell et al. 2021, arXiv 2112.00861; Snell et
al. 2022, "Learning by Distilling Context", arXiv 2209.15189): the soft targets carry how the model
itself would answer with the window in view, not only the one templated answer.

trl's experimental SDFTTrainer (Shenfeld et al. 2026, arXiv 2601.19897) is the on-policy version:
the student generates a completion every step and the teacher scores it. That is a generation per
example per step - on 2 CPU cores more than the whole sleep's budget - so this module precomputes
the teacher once per sleep instead (off-policy, teacher-forced on the written answer).

The window is encoded once and its KV cache reused for every question (only the question and the
answer run per example), so the teacher costs one window forward plus a short forward per example.

Example::

    >>> teachers = teacher_targets(runtime, window, encoded, "You are a helpful assistant.",
    ...                            ["Which city is listed for Ana?", None])  # None: no teacher
    >>> teachers[0].ids.shape      # (answer tokens, TOP_K)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..models.compute_thread import on_compute_thread

__all__ = ["TeacherTargets", "teacher_targets", "mixed_answer_loss", "DISTILL_PARTS", "TOP_K"]

# Sleep-data parts the teacher can answer from the window: 1-hop questions about this window's
# results. Chains (composed 2-hop answers) are left to cross-entropy: the 0.5B teacher composes
# poorly in context, and distilling it would teach its mistakes.
DISTILL_PARTS = ("probe",)
# Teacher tokens kept per answer position. 20 carries nearly all of the mass of a confident teacher
# (and full-vocabulary targets would be 151k floats per token on Qwen).
TOP_K = 20


@dataclass
class TeacherTargets:
    ids: object    # LongTensor (A, K): the teacher's top-k token ids at each answer position
    probs: object  # FloatTensor (A, K): their probabilities, renormalised to sum to 1


def teacher_targets(runtime, window: list[dict], encoded: Sequence[tuple[list[int], list[int]]],
                    system_prompt: str, questions: Sequence[str | None], k: int = TOP_K) -> list:
    """One :class:`TeacherTargets` per example whose question is given (None elsewhere).

    ``window``: the trajectory as chat dicts (task + evicted turns); ``encoded``: the student's
    ``(prompt ids, answer ids)`` per example - the teacher is scored on the same answer ids.
    """
    import inspect

    import torch
    from transformers import DynamicCache

    prefix = runtime.render([{"role": "system", "content": system_prompt}, *window], add_generation_prompt=False)
    out: list = [None] * len(encoded)
    def forward(**inputs):  # on the model's compute thread (models/compute_thread.py); grad mode is per thread
        def run():
            with torch.no_grad():
                return runtime.model(**inputs)
        return on_compute_thread(run)

    with runtime.adapter_disabled(), torch.no_grad():
        device = runtime.base_model.device
        # transformers 5.x renamed past_key_values to cache; the object is filled in place either way
        name = "cache" if "cache" in inspect.signature(runtime.base_model.forward).parameters else "past_key_values"
        cache = DynamicCache(config=runtime.base_model.config)
        prefix_ids = torch.tensor([runtime.encode(prefix)], device=device)           # (1, L)
        forward(input_ids=prefix_ids, use_cache=True, **{name: cache})
        start = prefix_ids.shape[1]
        for i, ((_, answer), q) in enumerate(zip(encoded, questions)):
            if q is None:
                continue
            full = runtime.render([{"role": "system", "content": system_prompt}, *window,
                                   {"role": "user", "content": q}], add_generation_prompt=True)
            if not full.startswith(prefix):  # a template that rewrites history: no teacher
                continue
            rest = runtime.encode(full[len(prefix):])
            ids = torch.tensor([rest + answer[:-1]], device=device)                   # (1, S)
            pos = torch.arange(start, start + ids.shape[1], device=device)[None]      # (1, S)
            logits = forward(input_ids=ids, position_ids=pos, cache_position=pos[0], use_cache=True,
                             **{name: cache}).logits[0]                               # (S, V)
            cache.crop(start - cache.get_seq_length())  # negative: drop this question, keep the window
            probs = torch.softmax(logits[len(rest) - 1:].float(), dim=-1)             # (A, V)
            top = probs.topk(k, dim=-1)
            out[i] = TeacherTargets(top.indices.cpu(), (top.values / top.values.sum(-1, keepdim=True)).cpu())
    return out


def mixed_answer_loss(logits, targets, teachers: Sequence, lengths: Sequence[int], weight: float):
    """Per answer token: ``weight`` x KL(teacher || student) + (1 - weight) x cross-entropy where the
    example has a teacher; plain cross-entropy elsewhere. Mean over the step's answer tokens.

    ``logits`` (N, V) and ``targets`` (N,) are the step's answer positions in batch order (example by
    example, as :func:`.trainer.answer_logits` returns them); ``teachers`` one entry (or None) and
    ``lengths`` the answer length per example, in the same order (sum of lengths = N).
    """
    import torch.nn.functional as F

    logp = F.log_softmax(logits.float(), dim=-1)                                  # (N, V)
    ce = -logp.gather(1, targets[:, None]).squeeze(1)                             # (N,)
    if weight <= 0 or all(t is None for t in teachers):
        return ce.mean()
    total, at = ce.clone(), 0
    for t, n in zip(teachers, lengths):
        if t is not None:
            ids, probs = t.ids.to(logp.device), t.probs.to(logp.device)           # (n, K)
            kl = (probs * (probs.clamp_min(1e-12).log() - logp[at:at + n].gather(1, ids))).sum(-1)  # (n,)
            total[at:at + n] = weight * kl + (1 - weight) * ce[at:at + n]
        at += n
    return total.mean()
