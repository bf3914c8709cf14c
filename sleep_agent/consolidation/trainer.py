"""Sleep training: LoRA (peft) on the thread's one adapter, loss on answer tokens only.

Sleep duration N = passes over the sleep data (the paper's N, arXiv 2605.26099). Each sleep continues
the thread's previous adapter version (replay of earlier data keeps older facts); a fresh thread
starts from a new LoRA initialisation. Training runs on the shared :class:`LocalRuntime` weights
under its lock: the base stays frozen (bf16), the LoRA weights train in fp32.

Example::

    >>> result = train_sleep(runtime, examples, SleepConfig(passes=2), init_from=None)
    >>> result.loss_curve[-1] < result.loss_curve[0]
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..crashpoints import crash_point
from ..models.compute_thread import on_compute_thread
from ..settings import SleepConfig
from .dataset import QA_SYSTEM_PROMPT, SleepExample

__all__ = ["TrainResult", "train_sleep", "encode_example", "save_trained_adapter", "TRAIN_ADAPTER",
           "collate", "answer_loss", "answer_logits", "pass_batches", "LONG_PARTS"]

TRAIN_ADAPTER = "sleep-train"  # peft adapter name used while training; replaced on activation
# Steps between reading the loss back from the device. ``loss.item()`` waits for the GPU to finish
# the step, so reading it every step keeps the CPU from queueing the next one; the loss curve is
# still recorded per step, just fetched in groups.
LOSS_SYNC_EVERY = 8
# Parts whose examples are long, batched among themselves (see :func:`pass_batches`): a question
# after a window of turns (in_context.py, ~250-600 tokens) and an agent turn rendered with the
# agent's prompt and tool schemas (behavior, ~380 tokens in the demo), against ~48 for a
# question/answer pair. A behavior example beside a pair padded the pair to its length: the demo's
# two cost 4 steps of ~2 x 380 tokens per sleep instead of 2 (~14 s a sleep on 2 cores).
LONG_PARTS = ("context", "behavior")


@dataclass
class TrainResult:
    loss_curve: list[float] = field(default_factory=list)  # loss of each optimizer step
    passes_done: int = 0
    steps: int = 0
    train_tokens: int = 0
    seconds: float = 0.0
    distilled: int = 0  # examples with a teacher (context distillation)


def encode_example(runtime, ex: SleepExample, system_prompt: str,
                   tools: list[dict] | None = None) -> tuple[list[int], list[int]]:
    """Token ids of the prompt and of the answer, in the exact chat template used when awake."""
    if ex.conversation:  # a replayed agent turn: rendered with the tool schemas, as when awake
        msgs = json.loads(ex.conversation)
        msgs, target = msgs[:-1], msgs[-1]
    else:
        msgs = [{"role": "system", "content": system_prompt}, {"role": "user", "content": ex.question}]
        target, tools = {"role": "assistant", "content": ex.answer}, None
    prompt = runtime.render(msgs, tools, add_generation_prompt=True)
    full = runtime.render(msgs + [target], tools, add_generation_prompt=False)
    if not full.startswith(prompt):  # a template that rewrites history; fall back to plain text
        return runtime.encode(prompt), runtime.encode(ex.answer + (runtime.tokenizer.eos_token or ""))
    return runtime.encode(prompt), runtime.encode(full[len(prompt):].rstrip("\n"))


def _prepare_peft(runtime, config: SleepConfig, init_from: Path | None):
    """Put a trainable adapter named TRAIN_ADAPTER on the runtime's model and return the PeftModel."""
    from peft import LoraConfig

    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, target_modules=config.target_modules,
                      lora_dropout=0.0, task_type="CAUSAL_LM")
    return runtime.trainable_adapter(TRAIN_ADAPTER, lora, init_from)


def collate(batch: Sequence[tuple[list[int], list[int]]], pad: int, *, pack: bool):
    """One step's tensors from ``(prompt ids, answer ids)`` pairs: ``(ids, mask, positions, labels)``.

    Padded: ``ids``/``labels``/``mask`` are (B, T) with T the longest example, ``positions`` None.
    Packed: one row (1, sum of lengths), ``mask`` None and ``positions`` restarting at 0 for each
    example, which transformers turns into a block-diagonal causal mask (no attention across
    examples: otherwise an answer could be copied from a neighbouring paraphrase instead of
    recalled from the weights).
    """
    import torch

    if pack:
        seqs = [prompt + answer for prompt, answer in batch]
        ids = torch.tensor([[t for s in seqs for t in s]])                         # (1, L)
        positions = torch.tensor([[i for s in seqs for i in range(len(s))]])       # (1, L)
        labels = torch.tensor([[t for p, a in batch for t in [-100] * len(p) + a]])  # (1, L)
        return ids, None, positions, labels
    width = max(len(a) + len(b) for a, b in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)      # (B, T)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)  # (B, T)
    mask = torch.zeros((len(batch), width), dtype=torch.long)         # (B, T)
    for row, (prompt, answer) in enumerate(batch):
        seq = prompt + answer
        ids[row, :len(seq)] = torch.tensor(seq)
        labels[row, len(prompt):len(seq)] = torch.tensor(answer)
        mask[row, :len(seq)] = 1
    return ids, mask, None, labels


def pass_batches(parts: Sequence[str], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One pass's batches, as lists of example indices; ``parts`` is each example's data part.

    A padded step costs its longest example times the batch size, so a ~500-token context example
    beside a ~40-token pair padded the pair to its length. Batched apart, a retention sleep on nested
    pages (20 of them among 589 examples) trained in 354 s instead of 415 s
    (docs/retention-qwen2.5-coder-0.5b-nested.md). The short examples are shuffled and cut into
    batches exactly as a plain shuffle would (identical when there are no long ones), and the long
    ones (:data:`LONG_PARTS`) are shuffled, batched among themselves, and each batch put at a random
    place in the pass. Every example is in exactly one batch per pass.
    """
    short = [i for i, part in enumerate(parts) if part not in LONG_PARTS]
    long = [i for i, part in enumerate(parts) if part in LONG_PARTS]
    rng.shuffle(short)
    batches = [short[b:b + batch_size] for b in range(0, len(short), batch_size)]
    if long:
        rng.shuffle(long)
        for b in range(0, len(long), batch_size):
            batches.insert(rng.randrange(len(batches) + 1), long[b:b + batch_size])
    return batches


def answer_logits(peft_model, ids, mask, labels, positions=None):
    """``(logits (N, vocab), targets (N,))`` at the N answer positions, example by example.

    The full (B, T, vocab) logits of a batch are the largest tensor of a step (151k vocab for
    Qwen) and most positions are prompt; projecting only the answer positions saves memory and
    about a fifth of the compute.
    """
    causal = peft_model.get_base_model()                       # the LM with LoRA layers injected
    hidden = causal.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                          use_cache=False).last_hidden_state                    # (B, T, H)
    targets = labels[:, 1:]                                     # (B, T-1): token t+1 predicted at t
    keep = targets != -100                                      # (B, T-1)
    return causal.lm_head(hidden[:, :-1][keep]), targets[keep]  # (N, vocab), (N,)


def answer_loss(peft_model, ids, mask, labels, positions=None):
    """Cross-entropy on answer tokens only."""
    import torch.nn.functional as F

    logits, targets = answer_logits(peft_model, ids, mask, labels, positions)
    return F.cross_entropy(logits.float(), targets)


def train_sleep(runtime, examples: Sequence[SleepExample], config: SleepConfig, *,
                init_from: Path | None = None, window: list[dict] | None = None,
                tools: list[dict] | None = None, progress: Callable[[dict], None] | None = None,
                on_pass: Callable[[int], None] | None = None) -> tuple[object, TrainResult]:
    """Train the adapter for ``config.passes`` passes; return ``(peft_model, result)``.

    The trained adapter is left on the runtime under the name TRAIN_ADAPTER; the caller saves it
    (see :func:`save_trained_adapter`) and then activates the published version. ``on_pass(n)`` runs
    after pass ``n`` with the model in eval mode (to measure accuracy against sleep duration).
    ``window``: the trajectory as chat dicts, the teacher's context when ``config.distill`` > 0.
    ``tools``: the agent's tool schemas (OpenAI format), rendered in behavior examples only.
    """
    import torch

    from .distill import DISTILL_PARTS, mixed_answer_loss, teacher_targets

    t0 = time.perf_counter()
    result = TrainResult()
    with runtime.lock:
        pm = _prepare_peft(runtime, config, init_from)
        encoded = [encode_example(runtime, ex, QA_SYSTEM_PROMPT, tools) for ex in examples]
        teachers = [None] * len(encoded)
        if config.distill > 0 and window:  # computed once, before any step: the teacher never changes
            teachers = teacher_targets(runtime, window, encoded, QA_SYSTEM_PROMPT,
                                       [ex.question if ex.part in DISTILL_PARTS else None for ex in examples])
            result.distilled = sum(t is not None for t in teachers)
        params = [p for p in pm.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
        rng = random.Random(config.seed)
        parts = [ex.part for ex in examples]
        # every pass's batches drawn up front (rng serves nothing else, so the draws are the same)
        plan = [pass_batches(parts, config.batch_size, rng) for _ in range(config.passes)]
        steps_per_pass = len(plan[0])
        total = steps_per_pass * config.passes
        pad = runtime.tokenizer.pad_token_id or 0
        pm.train()
        pending = []  # this group's per-step losses, still on the device
        try:
            for p_idx in range(config.passes):
                for s, picked in enumerate(plan[p_idx]):
                    batch = [encoded[i] for i in picked]
                    ids, mask, positions, labels = (None if t is None else t.to(pm.device)
                                                    for t in collate(batch, pad, pack=config.pack))

                    def step():  # on the model's compute thread (models/compute_thread.py: one OpenMP team)
                        logits, targets = answer_logits(pm, ids, mask, labels, positions)
                        loss = mixed_answer_loss(logits, targets, [teachers[i] for i in picked],
                                                 [len(a) for _, a in batch], config.distill)
                        loss.backward()
                        opt.step()
                        opt.zero_grad(set_to_none=True)
                        return loss.detach()

                    loss = on_compute_thread(step)
                    result.steps += 1
                    result.train_tokens += sum(len(a) + len(b) for a, b in batch)
                    pending.append(loss)
                    if len(pending) == LOSS_SYNC_EVERY or s == steps_per_pass - 1:
                        result.loss_curve += [round(v, 4) for v in torch.stack(pending).tolist()]
                        pending.clear()
                    if result.steps == 1:
                        crash_point("train_first_step")
                    elif result.steps == max(2, total // 2):
                        crash_point("train_mid")
                    if progress:
                        progress({"phase": "train", "pass": p_idx + 1, "step": result.steps, "total": total,
                                  "loss": result.loss_curve[-1] if result.loss_curve else None,
                                  "seconds": round(time.perf_counter() - t0, 1)})
                result.passes_done = p_idx + 1
                pass_losses = result.loss_curve[-steps_per_pass:]
                if on_pass:
                    pm.eval()
                    on_pass(p_idx + 1)
                    pm.train()
                if config.stop_loss and sum(pass_losses) / len(pass_losses) < config.stop_loss:
                    break
        finally:
            pm.eval()
    result.seconds = round(time.perf_counter() - t0, 2)
    return pm, result


def save_trained_adapter(runtime, dest: Path) -> None:
    """Write the TRAIN_ADAPTER weights as a plain adapter folder (safetensors) at ``dest``."""
    runtime.save_adapter(TRAIN_ADAPTER, dest)
