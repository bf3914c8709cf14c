"""A loaded local model: renders prompts, counts tokens, generates, and holds the thread's LoRA adapter.

One :class:`LocalRuntime` is shared by everything that uses the model in a process (the chat model,
the token counter, the sleep trainer), so the 1 GB of weights is loaded once. A lock serialises
generation and adapter changes: a transformers model is not safe to use from two threads at once.
The tensor work itself (loading, decoding, adapter loads and folds) runs on one compute thread,
whichever thread calls: on a CPU each thread that runs torch gets an OpenMP team of its own, and
LangGraph's pool threads made several (:mod:`.compute_thread`: a training step 34% slower).

Adapter hooks (the runtime alone changes its peft model): ``activate_adapter(path, merged=)``,
``deactivate_adapter()``, ``adapter_disabled()`` (a block on the base model), ``fold_active()`` /
``unfold()`` (fold the adapter into the base weights and take the LoRA modules out of the forward
path, fold.py, so woken decoding costs what the base costs), ``trainable_adapter(name, lora_config,
init_from)`` and ``save_adapter(name, dest)`` for the sleep, ``delete_adapter(name)``; state in
``has_adapter``, ``adapter_enabled`` and ``active_adapter_name``.

Example::

    >>> rt = LocalRuntime.load("smollm2-135m")
    >>> prompt = rt.render([{"role": "user", "content": "Hi"}])
    >>> rt.generate(prompt, max_new_tokens=8).text
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..crashpoints import crash_point
from .compute_thread import on_compute_thread, submit
from .fold import Folded, fold, unfold
from .loading import LoadedInfo, load_causal_lm
from .stopping import RowTextStop, TextStop, stop_token_ids

__all__ = ["Generation", "LocalRuntime", "AdapterLoadError"]


class AdapterLoadError(RuntimeError):
    """An adapter folder that is missing, incomplete, or not a LoRA adapter for this model."""


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    new_tokens: int
    seconds: float


# Prompts of one batch sharing at least this many leading tokens have them encoded once (see
# LocalRuntime.generate_batch_ends). Below it the saving is small next to the per-token decode.
SHARED_PREFIX_TOKENS = 256


@contextmanager
def _old_cache_name():
    """``past_key_values`` is the name every supported transformers (>= 4.56) accepts; the newest
    call it ``cache`` and warn on each call. The warning is not for the user."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*past_key_values.*", category=FutureWarning)
        yield


def _common_prefix(seqs: list[list[int]]) -> int:
    """Length of the token prefix every sequence shares, leaving each at least one token of its own
    (generation needs a new input token per row after the cached part)."""
    n = min(len(s) for s in seqs) - 1
    first = seqs[0]
    for i in range(max(n, 0)):
        if any(s[i] != first[i] for s in seqs[1:]):
            return i
    return max(n, 0)


def _decode(model, kwargs: dict):
    """``model.generate(**kwargs)`` without autograd (a job for the compute thread: grad mode is per thread)."""
    import torch

    with torch.inference_mode():
        return model.generate(**kwargs)


class LocalRuntime:
    def __init__(self, model, tokenizer, info: LoadedInfo | None = None, *, static_cache: bool = False):
        self.base_model = model
        # Decode with a static KV cache, which transformers compiles (torch.compile) on GPUs: 4.8x
        # eager tokens/s on an H100 (docs/perf-gpu-qwen2.5-coder-0.5b.md). Off by default: the first
        # call compiles for ~a minute, and switching adapters or the entity gate's adapter toggle
        # recompiles; worth it for long GPU runs, not for short CPU ones (no compile there).
        self.static_cache = static_cache
        self.tokenizer = tokenizer
        self.info = info
        self.lock = threading.RLock()
        self._peft = None               # PeftModel wrapping base_model once an adapter is loaded
        self._adapters_on = False       # LoRA layers on? Tracked here: peft's own flag is private
        self.adapter_path: str | None = None
        self._folded: Folded | None = None  # set while the adapter is folded into the base weights
        self._adapter_seq = 0           # fresh adapter names so no stale peft state is ever reused
        self._stop_ids = stop_token_ids(tokenizer)

    @classmethod
    def load(cls, name_or_path: str, *, device: str | None = None, dtype=None, log=print,
             random_init: bool = False, static_cache: bool = False) -> "LocalRuntime":
        """``dtype`` None picks bf16 where the device computes it natively, else fp32 (fp16 on old GPUs)."""
        loaded = on_compute_thread(load_causal_lm, name_or_path, device=device, dtype=dtype, log=log,
                                   random_init=random_init)
        return cls(*loaded, static_cache=static_cache)

    # ---- prompts and tokens -------------------------------------------------------------------
    def render(self, messages: list[dict], tools: list[dict] | None = None, *,
               add_generation_prompt: bool = True) -> str:
        """The exact prompt text the model sees (chat template, tool schemas included)."""
        return self.tokenizer.apply_chat_template(
            messages, tools=tools or None, add_generation_prompt=add_generation_prompt, tokenize=False
        )

    def encode(self, text: str) -> list[int]:
        # The rendered template already holds the special tokens, so none are added here.
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def count_tokens(self, messages: list[dict], tools: list[dict] | None = None, *,
                     add_generation_prompt: bool = True) -> int:
        return len(self.encode(self.render(messages, tools, add_generation_prompt=add_generation_prompt)))

    @property
    def max_context(self) -> int:
        return int(getattr(self.base_model.config, "max_position_embeddings", 4096) or 4096)

    # ---- generation ---------------------------------------------------------------------------
    @property
    def merged(self) -> bool:
        """True while the active adapter is folded into the base weights."""
        return self._folded is not None

    @property
    def model(self):
        """The module to run: the peft wrapper when an unfolded adapter is loaded, else the base
        model (which holds the adapted weights while folded: no peft code runs per token)."""
        return self._peft if self._peft is not None and not self.merged else self.base_model

    def _generate_kwargs(self, input_ids, *, max_new_tokens, temperature, top_p, stop, stop_check=None):
        import torch
        from transformers import StoppingCriteriaList

        kwargs = dict(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=max_new_tokens,
            eos_token_id=self._stop_ids,
            pad_token_id=self.tokenizer.pad_token_id,
        )
        if self.static_cache:
            kwargs["cache_implementation"] = "static"
        if temperature and temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
        else:  # greedy: reproducible
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=list(stop), tokenizer=self.tokenizer)
        if stop_check is not None:
            kwargs["stopping_criteria"] = StoppingCriteriaList(
                [TextStop(self.tokenizer, input_ids.shape[1], stop_check)])
        return kwargs

    def stream(self, prompt: str, *, max_new_tokens: int = 512, temperature: float = 0.0,
               top_p: float = 1.0, seed: int | None = None, stop=None, stop_check=None) -> Iterator[str]:
        """Yield text pieces as they are decoded; generation runs in a worker thread.

        ``stop_check(text_so_far) -> bool`` ends decoding early (e.g. once a whole tool call is out)."""
        import torch
        from transformers import TextIteratorStreamer

        with self.lock:
            if seed is not None:
                torch.manual_seed(seed)
            input_ids = torch.tensor([self.encode(prompt)], device=self.base_model.device)
            streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
            kwargs = self._generate_kwargs(input_ids, max_new_tokens=max_new_tokens, temperature=temperature,
                                           top_p=top_p, stop=stop, stop_check=stop_check)
            errors: list[BaseException] = []

            def work():
                try:
                    with torch.inference_mode():
                        self.model.generate(**kwargs, streamer=streamer)
                except BaseException as e:  # surfaced to the caller below
                    errors.append(e)
                    streamer.end()

            job = submit(work)  # decodes on the compute thread while this one yields its pieces
            yield from streamer
            job.result()
            if errors:
                raise errors[0]

    def generate(self, prompt: str, *, max_new_tokens: int = 512, temperature: float = 0.0,
                 top_p: float = 1.0, seed: int | None = None, stop=None, stop_check=None) -> Generation:
        import torch

        t0 = time.perf_counter()
        with self.lock:
            if seed is not None:
                torch.manual_seed(seed)
            ids = self.encode(prompt)
            input_ids = torch.tensor([ids], device=self.base_model.device)
            kwargs = self._generate_kwargs(input_ids, max_new_tokens=max_new_tokens, temperature=temperature,
                                           top_p=top_p, stop=stop, stop_check=stop_check)
            out = on_compute_thread(_decode, self.model, kwargs)
        new = out[0, len(ids):]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return Generation(text, len(ids), int(new.numel()), time.perf_counter() - t0)

    def generate_batch(self, prompts: list[str], *, max_new_tokens: int = 32, batch_size: int = 16) -> list[str]:
        """Greedy replies to many prompts, ``batch_size`` at a time (left-padded).

        For evaluation, where hundreds of short questions are asked: on 2 CPU cores a batch of 16
        decodes several times more tokens per second than one sequence. Each batch runs until every
        reply ends or ``max_new_tokens``; callers cut replies where they need (e.g. first sentence).
        """
        return [text for text, _ in self.generate_batch_ends(prompts, max_new_tokens=max_new_tokens,
                                                             batch_size=batch_size)]

    def generate_batch_ends(self, prompts: list[str], *, max_new_tokens: int = 32, batch_size: int = 16,
                            done: Callable[[str], bool] | None = None) -> list[tuple[str, bool]]:
        """:meth:`generate_batch`, each reply with whether it ended by itself (False: it ran into
        ``max_new_tokens`` and was cut). ``done(text)``: a row stops as soon as its text so far
        satisfies it (e.g. its first sentence is complete), which also counts as ended.

        Prompts of a batch that share a long start (questions asked after the same context) have
        that start encoded once and its cache copied to every row (:data:`SHARED_PREFIX_TOKENS`):
        with a 2k-token window in front of each question, encoding it 16 times per batch was most
        of the retention benchmark's ceiling time on 2 cores.
        """
        import torch
        from transformers import StoppingCriteriaList

        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self._stop_ids[0]
        out: list[tuple[str, bool]] = []
        with self.lock:
            for start in range(0, len(prompts), batch_size):
                seqs = [self.encode(p) for p in prompts[start:start + batch_size]]
                shared = _common_prefix(seqs) if len(seqs) > 1 else 0
                shared = shared if shared >= SHARED_PREFIX_TOKENS else 0
                # (B, shared + W): the shared start, then each row's rest left-padded to W
                width = max(len(s) for s in seqs) - shared
                ids = torch.full((len(seqs), shared + width), pad, dtype=torch.long)
                mask = torch.zeros((len(seqs), shared + width), dtype=torch.long)
                for row, s in enumerate(seqs):
                    ids[row, :shared], mask[row, :shared] = torch.tensor(s[:shared]), 1
                    ids[row, shared + width - (len(s) - shared):] = torch.tensor(s[shared:])
                    mask[row, shared + width - (len(s) - shared):] = 1
                total = shared + width
                extra = {"stopping_criteria": StoppingCriteriaList([RowTextStop(self.tokenizer, total, done)])
                         } if done else {}
                device = self.base_model.device

                def decode():
                    with torch.inference_mode(), _old_cache_name():
                        if shared:
                            extra["past_key_values"] = self._prefix_cache(ids[:1, :shared], len(seqs))
                        return self.model.generate(input_ids=ids.to(device), attention_mask=mask.to(device),
                                                   max_new_tokens=max_new_tokens, do_sample=False,
                                                   eos_token_id=self._stop_ids, pad_token_id=pad, **extra)

                gen = on_compute_thread(decode)
                new = gen[:, total:]                                             # (B, <= max_new_tokens)
                stops = torch.tensor(self._stop_ids, device=new.device)
                ended = torch.isin(new, stops).any(dim=1).tolist()
                texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
                out += [(t, e or bool(done and done(t))) for t, e in zip(texts, ended)]
        return out

    def _prefix_cache(self, prefix_ids, rows: int):
        """The KV cache of ``prefix_ids`` (1, L), repeated for ``rows`` rows."""
        from transformers import DynamicCache

        cache = DynamicCache()
        with _old_cache_name():
            self.model(input_ids=prefix_ids.to(self.base_model.device), past_key_values=cache, use_cache=True)
        cache.batch_repeat_interleave(rows)
        return cache

    # ---- adapters -----------------------------------------------------------------------------
    @property
    def has_adapter(self) -> bool:
        """True once a peft model wraps the base (an adapter is loaded, enabled or not)."""
        return self._peft is not None

    @property
    def adapter_enabled(self) -> bool:
        """True while the active adapter shapes the outputs (its LoRA layers are on, folded or not)."""
        return self._peft is not None and self._adapters_on

    @property
    def active_adapter_name(self) -> str | None:
        """The peft name of the active adapter, or None when no adapter is loaded."""
        return self._peft.active_adapter if self._peft is not None else None

    def activate_adapter(self, path: str | Path, *, merged: bool = False) -> None:
        """Load the LoRA adapter folder at ``path`` and make it the active one (replacing any other).

        The folder must be a version an :class:`~sleep_agent.adapters.AdapterStore` published, intact:
        it is checked against its manifest (sizes, sha256, safetensors only) before peft reads it.
        """
        from peft import PeftModel

        from ..adapters.integrity import AdapterIntegrityError, verify_adapter_folder

        path = Path(path)
        if not (path / "adapter_config.json").is_file():
            raise AdapterLoadError(f"{path} is not a LoRA adapter folder (no adapter_config.json)")
        try:
            verify_adapter_folder(path)
        except AdapterIntegrityError as e:
            raise AdapterLoadError(f"refusing to load adapter {path}: {e}") from e

        with self.lock:
            self.unfold()
            self._adapter_seq += 1
            name = f"a{self._adapter_seq}"
            def load():
                if self._peft is None:
                    self._peft = PeftModel.from_pretrained(self.base_model, path, adapter_name=name)
                else:
                    old = list(self._peft.peft_config)
                    self._peft.load_adapter(path, adapter_name=name)
                    self._peft.set_adapter(name)
                    for o in old:
                        self._peft.delete_adapter(o)

            try:
                on_compute_thread(load)
            except Exception as e:
                raise AdapterLoadError(f"could not load adapter {path}: {e}") from e
            self._set_adapter_layers(True)
            self._peft.eval()
            self.adapter_path = str(path)
            if merged:
                self.fold_active()

    def deactivate_adapter(self) -> None:
        """Decode with the base model again (the adapter stays loaded but has no effect)."""
        with self.lock:
            self.unfold()
            if self._peft is not None:
                self._set_adapter_layers(False)
            self.adapter_path = None

    def trainable_adapter(self, name: str, lora_config, init_from: Path | None = None):
        """Make ``name`` the active, trainable adapter (from ``init_from``, else fresh); return the PeftModel."""
        from peft import PeftModel, get_peft_model

        with self.lock:
            self.unfold()
            def make(pm):
                if pm is not None and name in pm.peft_config:  # a stale copy, e.g. from a crashed sleep
                    pm.delete_adapter(name)
                if init_from is not None:
                    if pm is None:
                        return PeftModel.from_pretrained(self.base_model, init_from, adapter_name=name,
                                                         is_trainable=True)
                    pm.load_adapter(init_from, adapter_name=name, is_trainable=True)
                elif pm is None:
                    return get_peft_model(self.base_model, lora_config, adapter_name=name)
                else:
                    pm.add_adapter(name, lora_config)
                return pm

            self._peft = pm = on_compute_thread(make, self._peft)
            pm.set_adapter(name)
            self._set_adapter_layers(True)
            for pname, p in pm.named_parameters():  # the base and every other adapter stay frozen
                p.requires_grad = f".{name}." in pname and "lora_" in pname
            return pm

    def save_adapter(self, name: str, dest: Path) -> None:
        """Write adapter ``name`` as a plain adapter folder (safetensors) into the folder ``dest``; unfolds first."""
        with self.lock:
            if self._peft is None or name not in self._peft.peft_config:
                raise KeyError(f"no adapter {name!r} is loaded")
            self.unfold()  # folded, the LoRA weights are out of the module tree and would not be saved
            # peft saves non-default adapters into a sub-folder named after them; move the files up.
            with tempfile.TemporaryDirectory(dir=dest) as tmp:
                self._peft.save_pretrained(tmp, selected_adapters=[name], safe_serialization=True)
                src = Path(tmp) / name
                if not src.is_dir():
                    src = Path(tmp)
                for f in src.iterdir():
                    if f.is_file():
                        shutil.move(str(f), Path(dest) / f.name)
                        crash_point("adapter_save_partial")  # some of the files are written

    def delete_adapter(self, name: str) -> None:
        """Drop adapter ``name`` from the peft model (unfolding first); no-op when it is not loaded."""
        with self.lock:
            if self._peft is not None and name in self._peft.peft_config:
                self.unfold()  # folded, its LoRA layers are out of the module tree and would survive
                self._peft.delete_adapter(name)

    def fold_active(self, *, add_delta: bool = True) -> None:
        """Fold the active adapter into the base weights (``add_delta=False``: adapter off, the plain base)."""
        with self.lock:
            if self._peft is None:
                raise RuntimeError("no adapter is loaded, so there is nothing to fold")
            self.unfold()  # folding twice would lose the record of the original weights
            if not add_delta:
                self._set_adapter_layers(False)
            self._folded = on_compute_thread(fold, self.base_model, self._peft.active_adapter, add_delta=add_delta)

    def unfold(self) -> None:
        """Put the LoRA wrappers back and restore the exact base weights; no-op when not folded."""
        with self.lock:
            if self._folded is not None:
                on_compute_thread(unfold, self._folded)
            self._folded = None

    def _set_adapter_layers(self, on: bool) -> None:
        layers = self._peft.base_model
        layers.enable_adapter_layers() if on else layers.disable_adapter_layers()
        self._adapters_on = on

    @contextmanager
    def adapter_disabled(self):
        """Temporarily run the base model (e.g. as the teacher in context distillation, or for a
        question the entity gate routes away from the adapter). Also works during a sleep, while
        the adapter being trained is active."""
        with self.lock:
            if not self.adapter_enabled:
                yield
                return
            was_merged = self.merged
            self.unfold()
            self._set_adapter_layers(False)
            try:
                yield
            finally:
                self._set_adapter_layers(True)
                if was_merged:
                    self.fold_active()
