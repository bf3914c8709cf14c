"""Performance benchmark (``sleep-agent bench perf``): is sleeping and waking cheap enough?

On one model and device, in one run:

1. **sleep**: a real sleep (:func:`consolidate`: dataset, LoRA training, validation, publish) over the
   retention benchmark's ~2k-token trajectory, for each N; trajectory tokens consolidated per second
   and training tokens per second;
2. **raw**: a plain peft LoRA loop (same model, same examples and batch size, padded batches, the
   model's own full-vocabulary loss: what one writes without the sleep machinery), and a hardware
   reference loop at sequence 2048 x batch 8 on random tokens;
3. **wake**: greedy decode tokens/s of the base model, of the base with a static KV cache (which
   transformers compiles on GPUs), and of the woken model with the adapter unmerged and merged;
4. **steps**: per-step latency (prefill + ``STEP_NEW_TOKENS`` decoded) with the context each memory
   holds once the cumulative trajectory reaches 2k..50k tokens: ``sleep`` keeps at most the budget
   (its sleeps are counted separately, per window), ``vector`` keeps part of the budget plus
   retrieved chunks (the chromadb query is timed too), ``full`` keeps everything (until the model's
   window; on a CPU only up to ``max_full_tokens``, since a 32k prefill takes minutes there);
5. peak memory after each part (CUDA allocator peak on a GPU, process peak RSS on a CPU).

``random_init=True`` times a randomly initialised model of the same shape: throughput does not
depend on weight values, and it needs no weight download (how the GPU numbers are taken). The
adapter's accuracy merged vs unmerged is measured only on real weights.

Example::

    >>> result = run_perf(runtime, passes=[1])
    >>> result["wake_merged_vs_base"]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sleep_agent.adapters import AdapterStore
from sleep_agent.consolidation import QA_SYSTEM_PROMPT, answer_questions, consolidate
from sleep_agent.models.compute_thread import runs_on_compute_thread
from sleep_agent.scoring import is_correct
from sleep_agent.settings import SleepConfig
from sleep_agent.consolidation.trainer import collate, encode_example
from sleep_agent.memory.chunks import chunk_turns
from sleep_agent.models.messages import to_template_dicts
from .world import World

__all__ = ["run_perf", "format_table", "STEP_SIZES"]

STEP_SIZES = (2_000, 8_000, 16_000, 32_000, 50_000)  # cumulative trajectory tokens (the 2k..50k)
STEP_NEW_TOKENS = 16    # an agent step decodes a short reply or one tool call
DECODE_TOKENS = 64      # tokens per decode-speed measurement (after a warm-up run)
# (batch, sequence) of the hardware reference loop. The GPU reference is 8 x 2048; on a CPU its
# full-vocabulary logits alone (8 x 2048 x 151k floats) take 10 GB, so the CPU runs one 1024 row.
REFERENCE_SHAPE = {"cuda": (8, 2048), "cpu": (1, 1024)}
RAW_STEPS = 40          # optimizer steps timed in each raw loop (after 3 warm-up steps)
BUDGET = 2048           # the agent's default context budget (AgentSettings.context_budget)
VECTOR_SHARE = 0.25     # AgentSettings.vector_budget_share
WAKE_ROUNDS = 3         # alternating timings of base / unmerged / merged decode (best of each)


def _sync(runtime) -> None:
    import torch

    if runtime.base_model.device.type == "cuda":
        torch.cuda.synchronize()


def _peak_mb(runtime) -> float:
    import torch

    if runtime.base_model.device.type == "cuda":
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


@runs_on_compute_thread
def decode_speed(runtime, prompt_ids: list[int], *, tokens: int = DECODE_TOKENS, warmups: int = 1,
                 model=None, **generate_kwargs) -> float:
    """Greedy decode tokens/s for exactly ``tokens`` new tokens (EOS ignored), after warm-up runs,
    of ``model`` (default: the module the runtime decodes with)."""
    import torch

    model = model if model is not None else runtime.model
    ids = torch.tensor([prompt_ids], device=runtime.base_model.device)
    kwargs = dict(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                  pad_token_id=runtime.tokenizer.pad_token_id, **generate_kwargs)
    with torch.inference_mode():
        for _ in range(warmups):
            model.generate(**kwargs, max_new_tokens=tokens, min_new_tokens=tokens)
        _sync(runtime)
        t0 = time.perf_counter()
        out = model.generate(**kwargs, max_new_tokens=tokens, min_new_tokens=tokens)
        _sync(runtime)
    return round((out.shape[1] - ids.shape[1]) / (time.perf_counter() - t0), 2)


@runs_on_compute_thread
def raw_loop(runtime, batches: Sequence, *, steps: int = RAW_STEPS, rank: int = 16) -> float:
    """Tokens/s (non-padding tokens) of a plain peft LoRA loop over ``batches`` of (ids, mask, labels)."""
    import torch
    from peft import LoraConfig

    pm = runtime.trainable_adapter("raw", LoraConfig(r=rank, lora_alpha=2 * rank, target_modules="all-linear",
                                                     lora_dropout=0.0, task_type="CAUSAL_LM"))
    opt = torch.optim.AdamW([p for p in pm.parameters() if p.requires_grad], lr=2e-4)
    dev = pm.device
    pm.train()
    tokens, t0 = 0, 0.0
    try:
        for i in range(steps + 3):
            if i == 3:  # warm-up done: allocator and kernels are ready
                _sync(runtime)
                tokens, t0 = 0, time.perf_counter()
            ids, mask, labels = batches[i % len(batches)]
            loss = pm(input_ids=ids.to(dev), attention_mask=mask.to(dev), labels=labels.to(dev)).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            tokens += int(mask.sum())
        _sync(runtime)
        return round(tokens / (time.perf_counter() - t0), 1)
    finally:
        pm.eval()
        runtime.delete_adapter("raw")


def batch_scaling(runtime, examples, config: SleepConfig, batch_sizes: Sequence[int], *,
                  log: Callable[[str], None] = lambda _: None) -> dict:
    """Sleep training tokens/s (one pass; padded and packed) against the raw loop, per examples-per-step.

    The sleep's recipe uses 2 examples per step (more steps per pass is what recall needed on the
    CPU); a GPU is launch-bound at that size, so this shows what larger steps would buy.
    """
    from sleep_agent.consolidation import train_sleep

    out = {}
    for b in batch_sizes:
        row = {}
        for pack in (False, True):
            cfg = SleepConfig(**{**config.to_dict(), "passes": 1, "batch_size": b, "pack": pack})
            _, res = train_sleep(runtime, examples, cfg)
            row["sleep_packed" if pack else "sleep_padded"] = round(res.train_tokens / res.seconds, 1)
        row["raw_padded"] = raw_loop(runtime, _padded_batches(runtime, examples, cfg),
                                     steps=min(RAW_STEPS, max(3, len(examples) // b)))
        row["sleep_vs_raw"] = round(max(row["sleep_padded"], row["sleep_packed"]) / row["raw_padded"], 3)
        out[b] = row
        log(f"[batch {b}] tokens/s {row}")
    return out


def _padded_batches(runtime, examples, config: SleepConfig) -> list:
    enc = [encode_example(runtime, e, QA_SYSTEM_PROMPT) for e in examples]
    pad = runtime.tokenizer.pad_token_id or 0
    out = []
    for s in range(0, len(enc), config.batch_size):
        ids, mask, _, labels = collate(enc[s:s + config.batch_size], pad, pack=False)
        labels = labels.masked_fill(mask == 0, -100)
        out.append((ids, mask, labels))
    return out


def _reference_batches(runtime) -> list:
    import torch

    g = torch.Generator().manual_seed(0)
    b, t = REFERENCE_SHAPE[runtime.base_model.device.type]
    ids = torch.randint(0, runtime.tokenizer.vocab_size, (b, t), generator=g)
    return [(ids, torch.ones_like(ids), ids.clone())]


def _long_trajectory(runtime, tokens: int) -> tuple[list, list[int]]:
    """Messages of World(0), World(1), ... after one task message, and each message's token count
    (as rendered in the chat template: its share of a prompt that holds it)."""
    system = [{"role": "system", "content": "x"}]
    base = runtime.count_tokens(system)
    msgs, counts, seed = [], [], 0
    while sum(counts) < tokens:
        world_msgs = World(seed=seed).trajectory()
        for m in world_msgs if not msgs else world_msgs[1:]:  # one task message, then the worlds' turns
            msgs.append(m)
            counts.append(runtime.count_tokens(system + to_template_dicts([m])) - base)
        seed += 1
    return msgs, counts


def _tail(msgs, counts, limit: int) -> list:
    """The last messages fitting in ``limit`` tokens, starting at an AI turn (whole turns)."""
    total, start = 0, len(msgs)
    while start > 1 and total + counts[start - 1] <= limit:
        start -= 1
        total += counts[start]
    while start < len(msgs) and msgs[start].type == "tool":
        start += 1
    return msgs[start:]


def step_latency(runtime, *, sizes: Sequence[int] = STEP_SIZES, strategies: Sequence[str] = ("sleep", "vector", "full"),
                 max_full_tokens: int | None = None, log: Callable[[str], None] = lambda _: None) -> dict:
    """Seconds of one agent step and its context tokens, per strategy and cumulative trajectory size."""
    msgs, counts = _long_trajectory(runtime, max(sizes))
    task = msgs[:1]
    out: dict = {s: {} for s in strategies}
    store = None
    if "vector" in strategies:
        from sleep_agent.memory.vector_store import ThreadVectorStore, embedder

        store_dir = Path(tempfile.mkdtemp(prefix="perf-vector-"))
        store, stored = ThreadVectorStore(store_dir, embedder()), 0

    def time_step(context: list, extra_system: str = "") -> dict:
        prompt = [{"role": "system", "content": "You are a helpful agent." + extra_system},
                  *to_template_dicts(context)]
        ids = runtime.encode(runtime.render(prompt))
        if len(ids) + STEP_NEW_TOKENS > runtime.max_context:
            return {"tokens": len(ids), "seconds": None, "why": "over the model's window"}
        runs = sorted(STEP_NEW_TOKENS / decode_speed(runtime, ids, tokens=STEP_NEW_TOKENS, warmups=0)
                      for _ in range(3))
        return {"tokens": len(ids), "seconds": round(runs[1], 3)}  # the median of 3 steps

    time_step(task)  # warm-up
    for size in sizes:
        n = 1
        while n < len(msgs) and sum(counts[:n + 1]) <= size:
            n += 1
        prefix, prefix_counts = msgs[:n], counts[:n]
        for strategy in strategies:
            if strategy == "sleep":
                row = time_step(task + _tail(prefix, prefix_counts, BUDGET - counts[0] - 300))
            elif strategy == "full":
                if max_full_tokens and size > max_full_tokens:
                    row = {"tokens": sum(prefix_counts), "seconds": None, "why": f"not run over {max_full_tokens} tokens here"}
                else:
                    row = time_step(prefix)
            else:  # vector: the window keeps (1 - share) of the budget, retrieved chunks fill the rest
                window = _tail(prefix, prefix_counts, int(BUDGET * (1 - VECTOR_SHARE)) - counts[0] - 300)
                evicted = prefix[1:len(prefix) - len(window)]
                chunks = chunk_turns(evicted, 400)
                store.add(chunks[stored:])
                stored = len(chunks)
                t0 = time.perf_counter()
                hits = store.query(window[-1].content if window else task[0].content, 4)
                query_s = time.perf_counter() - t0
                row = time_step(task + window, "\n\nRelevant earlier context:\n" + "\n".join(h.text for h in hits))
                row["query_seconds"] = round(query_s, 3)
                row["seconds"] = row["seconds"] and round(row["seconds"] + query_s, 3)
            out[strategy][size] = row
            log(f"[steps] {strategy} at {size} trajectory tokens: {row}")
    return out


def run_perf(runtime, *, passes: Sequence[int] = (1,), random_init: bool = False,
             sizes: Sequence[int] = STEP_SIZES, max_full_tokens: int | None = None,
             parts: Sequence[str] = ("sleep", "raw", "wake", "steps"), batch_sizes: Sequence[int] = (),
             log: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> dict:
    import torch

    device = runtime.base_model.device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    model = (runtime.info.name if runtime.info else "?").removesuffix(" (random init)")
    r: dict = {"device": name, "model": model, "random_init": random_init,
               "dtype": str(runtime.base_model.dtype).removeprefix("torch."), "peak_memory_mb": {}}
    world = World(seed=0)
    msgs = world.trajectory()
    r["reference_shape"] = REFERENCE_SHAPE[device.type]
    r["trajectory_tokens"] = runtime.count_tokens(to_template_dicts(msgs))
    prompt_ids = runtime.encode(runtime.render([{"role": "system", "content": "You are a helpful assistant."},
                                                {"role": "user", "content": "Write a long story about a fox."}]))
    wake: dict = {}
    if "wake" in parts:  # the true base, before any LoRA layer is injected
        wake["base"] = decode_speed(runtime, prompt_ids)
        wake["base_static_cache"] = decode_speed(runtime, prompt_ids, warmups=2, cache_implementation="static")
        log(f"[wake] base {wake['base']} tok/s, static cache {wake['base_static_cache']} tok/s")
        r["peak_memory_mb"]["wake_base"] = _peak_mb(runtime)

    root = Path(tempfile.mkdtemp(prefix="perf-"))
    store = AdapterStore("perf", root=root)
    sleeps: dict = {}
    config = SleepConfig(stop_loss=0.0, validate=not random_init)
    if "sleep" in parts or "raw" in parts or "wake" in parts:
        for n in passes:
            cfg = SleepConfig(**{**config.to_dict(), "passes": n})
            t0 = time.perf_counter()
            report = consolidate(runtime, AdapterStore(f"perf-n{n}", root=root) if n != passes[0] else store,
                                 msgs, config=cfg)
            total = time.perf_counter() - t0
            sleeps[n] = {"seconds": round(total, 2), "phases": report.seconds,
                         "train_tokens": report.train_tokens,
                         "train_tokens_per_s": round(report.train_tokens / report.seconds["train"], 1),
                         "trajectory_tokens_per_s": round(r["trajectory_tokens"] / total, 1),
                         "published": not report.rejected}
            log(f"[sleep] N={n}: {sleeps[n]}")
        r["sleep"] = sleeps
        r["peak_memory_mb"]["sleep"] = _peak_mb(runtime)
        r["cpu_sleep_2k_seconds"] = sleeps.get(1, {}).get("seconds") if device.type == "cpu" else None

    if "raw" in parts and sleeps:
        from sleep_agent.consolidation.engine import assemble

        examples = assemble(msgs, [], config).train
        r["raw_tokens_per_s"] = raw_loop(runtime, _padded_batches(runtime, examples, config))
        r["raw_reference_tokens_per_s"] = raw_loop(runtime, _reference_batches(runtime), steps=max(3, RAW_STEPS // 8))
        first = sleeps[passes[0]]["train_tokens_per_s"]
        r["sleep_vs_raw"] = round(first / r["raw_tokens_per_s"], 3)
        r["sleep_vs_raw_reference"] = round(first / r["raw_reference_tokens_per_s"], 3)
        log(f"[raw] same batches {r['raw_tokens_per_s']} tok/s, reference {r['raw_reference_tokens_per_s']} tok/s")
        r["peak_memory_mb"]["raw"] = _peak_mb(runtime)

    if "raw" in parts and sleeps and batch_sizes:
        r["batch_scaling"] = batch_scaling(runtime, examples, config, batch_sizes, log=log)
        r["peak_memory_mb"]["batch_scaling"] = _peak_mb(runtime)

    latest = store.latest()
    if "wake" in parts and latest is not None:
        wake.update(woken_decode_speeds(runtime, latest.path, prompt_ids))
        if not random_init:
            runtime.activate_adapter(latest.path)
            r["heldout_1hop_unmerged"] = _heldout_answers(runtime, world)
            runtime.activate_adapter(latest.path, merged=True)
            r["heldout_1hop_merged"] = _heldout_answers(runtime, world)
        runtime.deactivate_adapter()
        log(f"[wake] {wake}")
    if wake:
        r["wake_tokens_per_s"] = wake
        base = wake.get("base_after_sleep", wake["base"])  # the base timed beside the adapter
        base_static = wake.get("base_after_sleep_static_cache", wake["base_static_cache"])
        r["wake_unmerged_vs_base"] = wake.get("adapter_unmerged") and round(wake["adapter_unmerged"] / base, 3)
        r["wake_merged_vs_base"] = wake.get("adapter_merged") and round(wake["adapter_merged"] / base, 3)
        r["decode_vs_eager"] = round(wake["base_static_cache"] / wake["base"], 3)
        if "adapter_merged_static_cache" in wake:  # the same ratios on the static-cache decode path
            r["wake_static_unmerged_vs_base"] = round(wake["adapter_unmerged_static_cache"] / base_static, 3)
            r["wake_static_merged_vs_base"] = round(wake["adapter_merged_static_cache"] / base_static, 3)

    if "steps" in parts:
        if runtime.has_adapter:
            runtime.deactivate_adapter()
        strategies = ["sleep", "vector", "full"]
        try:
            import chromadb  # noqa: F401
        except ImportError:  # e.g. a GPU machine with only torch: the vector row is measured on the CPU
            strategies.remove("vector")
            r["step_latency_skipped"] = "vector: chromadb is not installed here"
        steps = step_latency(runtime, sizes=sizes, strategies=strategies, max_full_tokens=max_full_tokens, log=log)
        r["step_latency"] = steps
        first, last = steps["sleep"][min(sizes)]["seconds"], steps["sleep"][max(sizes)]["seconds"]
        r["step_latency_50k_vs_2k"] = round(last / first, 3) if first and last else None
        if sleeps:
            window_steps = max(1, (BUDGET - 300) // 70)  # ~70 tokens per archive step (docs/memory-steps.md)
            r["sleep_seconds_per_step_amortized"] = round(sleeps[passes[0]]["seconds"] / window_steps, 2)
        r["peak_memory_mb"]["steps"] = _peak_mb(runtime)
    return r


def woken_decode_speeds(runtime, adapter_path, prompt_ids: list[int], *, rounds: int = WAKE_ROUNDS) -> dict:
    """Decode tokens/s of the plain base, the adapter unmerged and the adapter merged (folded), timed
    in turn ``rounds`` times (best of each), so that drift in the machine's state over a long run
    (allocator, clocks, a busy host CPU feeding the GPU) hits all three alike. The plain base here is
    the peft-wrapped model with its wrappers taken out (``runtime.fold_active(add_delta=False)``)."""
    runtime.activate_adapter(adapter_path)
    speeds: dict[str, float] = {}

    def timed(key: str, static: bool, model=None) -> None:
        kwargs = dict(warmups=2, cache_implementation="static") if static else {}
        key += "_static_cache" if static else ""
        speeds[key] = max(speeds.get(key, 0.0), decode_speed(runtime, prompt_ids, model=model, **kwargs))

    for r in range(rounds):
        # the static cache compiles per module tree: time it once, in the last round
        paths = (False, True) if r == rounds - 1 else (False,)
        runtime.deactivate_adapter()
        runtime.fold_active(add_delta=False)  # the plain base: LoRA wrappers out, no delta added
        try:
            for static in paths:
                timed("base_after_sleep", static, model=runtime.base_model)
        finally:
            runtime.unfold()
        for merged, key in ((False, "adapter_unmerged"), (True, "adapter_merged")):
            runtime.activate_adapter(adapter_path, merged=merged)
            for static in paths:
                timed(key, static)
    return speeds


def _heldout_answers(runtime, world: World) -> float:
    """1-hop accuracy on the eval phrasings (no context): the same adapter merged must match unmerged."""
    questions = world.facts_1hop()
    replies = answer_questions(runtime, [q.text for q in questions], QA_SYSTEM_PROMPT)
    return round(sum(is_correct(a, q.answer) for a, q in zip(replies, questions)) / len(questions), 3)


def _fmt(v, unit: str = "") -> str:
    return "-" if v is None else f"{v}{unit}"


def format_table(r: dict) -> str:
    """The results as markdown: one table of the issue's ratios, then the detail tables."""
    lines = [f"Device: {r['device']}; model: {r['model']}"
             + (" (randomly initialised, same shape)" if r.get("random_init") else "") + f"; dtype {r['dtype']}.", "",
             "| ratio | measured | target |", "|---|---|---|",
             f"| sleep training / raw peft loop (same batches) | {_fmt(r.get('sleep_vs_raw'))} | >= 0.5 (GPU) |",
             f"| sleep training / raw reference loop (batch x sequence {r.get('reference_shape')}) | {_fmt(r.get('sleep_vs_raw_reference'))} | |",
             f"| woken decode, adapter unmerged / base | {_fmt(r.get('wake_unmerged_vs_base'))} | >= 0.95 |",
             f"| woken decode, adapter merged / base | {_fmt(r.get('wake_merged_vs_base'))} | >= 0.95 |",
             f"| woken decode on the static-cache path, unmerged / merged vs base | {_fmt(r.get('wake_static_unmerged_vs_base'))}"
             f" / {_fmt(r.get('wake_static_merged_vs_base'))} | >= 0.95 |",
             f"| decode, static KV cache / eager generate | {_fmt(r.get('decode_vs_eager'))} | >= 2 |",
             f"| step latency at 50k / at 2k trajectory tokens (sleep) | {_fmt(r.get('step_latency_50k_vs_2k'))} | <= 1.2 |",
             f"| CPU sleep over the 2k window, N=1 (s) | {_fmt(r.get('cpu_sleep_2k_seconds'))} | <= 180 |", ""]
    if r.get("sleep"):
        lines += ["| sleep N | seconds (dataset / train / validate) | train tokens/s | trajectory tokens/s |",
                  "|---|---|---|---|"]
        for n, s in r["sleep"].items():
            ph = s["phases"]
            lines.append(f"| {n} | {s['seconds']} ({ph.get('dataset')} / {ph.get('train')} / {ph.get('validate')}) | "
                         f"{s['train_tokens_per_s']} | {s['trajectory_tokens_per_s']} |")
        lines += [f"\nRaw peft loop on the same batches: {_fmt(r.get('raw_tokens_per_s'))} tokens/s; "
                  f"reference loop: {_fmt(r.get('raw_reference_tokens_per_s'))} tokens/s.", ""]
    if r.get("batch_scaling"):
        lines += ["| examples per step | sleep tokens/s, padded | sleep tokens/s, packed | raw loop tokens/s | best sleep / raw |",
                  "|---|---|---|---|---|"] + [
                      f"| {b} | {v['sleep_padded']} | {v['sleep_packed']} | {v['raw_padded']} | {v['sleep_vs_raw']} |"
                      for b, v in r["batch_scaling"].items()] + [""]
    if r.get("wake_tokens_per_s"):
        lines += ["| decode | tokens/s |", "|---|---|"] + [f"| {k} | {v} |" for k, v in r["wake_tokens_per_s"].items()]
        if "heldout_1hop_merged" in r:
            lines.append(f"\nHeld-out 1-hop accuracy with the adapter unmerged {r['heldout_1hop_unmerged']}, "
                         f"merged {r['heldout_1hop_merged']}.")
        lines.append("")
    if r.get("step_latency"):
        steps = r["step_latency"]
        sizes = list(next(iter(steps.values())))
        lines += ["| strategy | " + " | ".join(f"{s} tok" for s in sizes) + " |", "|---|" + "---|" * len(sizes)]
        for strategy, rows in steps.items():
            cells = [f"{_fmt(rows[s]['seconds'], ' s')} ({rows[s]['tokens']} in context)" for s in sizes]
            lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
        if r.get("sleep_seconds_per_step_amortized") is not None:
            lines.append(f"\nEach sleep step latency excludes the sleeps; one sleep per window, amortized over "
                         f"the window's steps, adds {r['sleep_seconds_per_step_amortized']} s per step.")
        lines.append("")
    lines.append("Peak memory (MB): " + ", ".join(f"{k} {v}" for k, v in r["peak_memory_mb"].items()))
    return "\n".join(lines) + "\n"
