"""LocalChatModel: a LangChain chat model over a local transformers model, with real tool calling.

LangChain's ChatHuggingFace cannot pass tools to a local pipeline (langchain#29033), so this model
renders ``apply_chat_template(messages, tools=...)`` itself and parses tool calls out of the reply
(``<tool_call>`` tags, bare JSON or ```json fences; see :mod:`.tool_parsing`). Output that looks like
a tool call but does not parse or validate never raises: it stays in ``content`` and each problem is
listed in ``invalid_tool_calls`` and ``response_metadata["tool_call_errors"]``, so the graph can tell
the model what went wrong.

Heavy work (generation) runs in a worker thread in the async methods, so an event loop such as
``langgraph dev``'s is never blocked. Decoding is greedy by default (reproducible); set
``temperature > 0`` to sample.

Example::

    >>> from sleep_agent import LocalChatModel
    >>> from sleep_agent_tools import calculator
    >>> llm = LocalChatModel(model_name="qwen2.5-coder-0.5b").bind_tools([calculator])
    >>> llm.invoke("What is 17 * 23? Use the calculator.").tool_calls
    [{'name': 'calculator', 'args': {'expression': '17 * 23'}, 'id': 'call_...', 'type': 'tool_call'}]
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr

from .messages import to_template_dicts
from .registry import DEFAULT_MODEL
from .runtime import LocalRuntime
from .tool_parsing import parse_tool_calls

__all__ = ["LocalChatModel"]

# A reply that reaches one of these may be a tool call: stop streaming text and wait for the parse.
_TOOL_MARKERS = ("<tool_call>", "```", "{")


class LocalChatModel(BaseChatModel):
    """Chat model over a local Hugging Face causal LM.

    Args:
        model_name: registry name (``qwen2.5-coder-0.5b``, the default; ``qwen2.5-coder-1.5b``;
            ``smollm2-135m``), a local model folder, or a hub id already in the local HF cache.
        max_new_tokens: cap on generated tokens per call.
        temperature: 0 means greedy decoding (the default, reproducible); > 0 samples.
        top_p: nucleus sampling cutoff, used only when sampling.

    Per-call keyword arguments (``invoke(..., max_new_tokens=64, max_tool_calls=1)``) override
    ``max_new_tokens`` and stop decoding once ``max_tool_calls`` whole tool calls have been emitted.
        seed: torch seed set before each sampled generation, for reproducible sampling.
        device: ``"cpu"``, ``"cuda"``...; default picks CUDA when present.
        runtime: an already loaded :class:`LocalRuntime` to share (weights are loaded once).
            When omitted the model is loaded on first use.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = DEFAULT_MODEL
    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    device: str | None = None
    runtime: LocalRuntime | None = Field(default=None, exclude=True, repr=False)

    _load_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_runtime(cls, runtime: LocalRuntime, **kwargs) -> "LocalChatModel":
        name = runtime.info.name if runtime.info else "local"
        return cls(model_name=name, runtime=runtime, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "sleep-agent-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature,
                "max_new_tokens": self.max_new_tokens}

    @property
    def rt(self) -> LocalRuntime:
        """The loaded runtime (loads the model on first use)."""
        if self.runtime is None:
            with self._load_lock:
                if self.runtime is None:
                    self.runtime = LocalRuntime.load(self.model_name, device=self.device)
        return self.runtime

    # ---- tools -----------------------------------------------------------------------------
    def bind_tools(self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs):
        """Bind tools (LangChain tools, functions, pydantic models or OpenAI schemas).

        ``tool_choice`` is accepted for API compatibility and ignored: plain decoding cannot force
        a local model to call a tool.
        """
        schemas = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=schemas, tool_choice=tool_choice, **kwargs)

    # ---- prompt ----------------------------------------------------------------------------
    def render_prompt(self, messages: Sequence[BaseMessage], tools: list[dict] | None = None) -> str:
        return self.rt.render(to_template_dicts(messages), tools)

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence | None = None) -> int:
        """Exact prompt length in tokens, as the model will see it (template and tool schemas included)."""
        schemas = [convert_to_openai_tool(t) for t in tools] if tools else None
        return len(self.rt.encode(self.render_prompt(messages, schemas)))

    def get_num_tokens(self, text: str) -> int:
        return len(self.rt.encode(text))

    # ---- generation ------------------------------------------------------------------------
    def _decode_settings(self, stop, max_new_tokens: int | None, tools: list[dict] | None,
                         max_tool_calls: int | None) -> dict:
        stop_check = None
        if tools and max_tool_calls:
            # End decoding once enough whole tool calls are out: small models otherwise repeat the
            # call until max_new_tokens (qwen2.5-coder-0.5b: 5+ copies, 10x the time).
            def stop_check(text: str) -> bool:
                return text.rstrip().endswith(("}", "</tool_call>", "```")) and \
                    len(parse_tool_calls(text, tools).tool_calls) >= max_tool_calls
        return dict(max_new_tokens=max_new_tokens or self.max_new_tokens, temperature=self.temperature,
                    top_p=self.top_p, seed=self.seed, stop=stop, stop_check=stop_check)

    def _message(self, text: str, tools: list[dict] | None, prompt_tokens: int, new_tokens: int):
        """Build the final AIMessage fields from the decoded text."""
        parsed = parse_tool_calls(text, tools)
        tool_calls = [{"name": c.name, "args": c.args, "id": c.id, "type": "tool_call"}
                      for c in parsed.tool_calls]
        invalid = [{"name": None, "args": None, "id": None, "error": e, "type": "invalid_tool_call"}
                   for e in parsed.errors]
        usage = {"input_tokens": prompt_tokens, "output_tokens": new_tokens,
                 "total_tokens": prompt_tokens + new_tokens}
        meta = {"model_name": self.model_name, "raw_output": text}
        if parsed.errors:
            meta["tool_call_errors"] = list(parsed.errors)
        return parsed.content, tool_calls, invalid, usage, meta

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, *,
                  tools: list[dict] | None = None, tool_choice: str | None = None,
                  max_new_tokens: int | None = None, max_tool_calls: int | None = None,
                  **kwargs) -> ChatResult:
        prompt = self.render_prompt(messages, tools)
        gen = self.rt.generate(prompt, **self._decode_settings(stop, max_new_tokens, tools, max_tool_calls))
        content, calls, invalid, usage, meta = self._message(gen.text, tools, gen.prompt_tokens, gen.new_tokens)
        meta["seconds"] = round(gen.seconds, 3)
        msg = AIMessage(content=content, tool_calls=calls, invalid_tool_calls=invalid,
                        usage_metadata=usage, response_metadata=meta)
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, *,
                tools: list[dict] | None = None, tool_choice: str | None = None,
                max_new_tokens: int | None = None, max_tool_calls: int | None = None,
                **kwargs) -> Iterator[ChatGenerationChunk]:
        """Stream text as it is decoded. Once the reply may be a tool call (a marker appeared), text
        is held back and the final chunk carries the parsed tool calls and the remaining content."""
        prompt = self.render_prompt(messages, tools)
        prompt_tokens = len(self.rt.encode(prompt))
        text, emitted, holding = "", "", False
        for piece in self.rt.stream(prompt, **self._decode_settings(stop, max_new_tokens, tools, max_tool_calls)):
            text += piece
            if tools and not holding and any(m in text for m in _TOOL_MARKERS):
                holding = True
            if not holding and piece:
                emitted += piece
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
        new_tokens = len(self.rt.encode(text))
        content, calls, invalid, usage, meta = self._message(text, tools, prompt_tokens, new_tokens)
        # The parser only removes tool-call spans, which all start after the text already emitted.
        head = emitted.strip()
        rest = content[len(head):] if content.startswith(head) else ("" if not content else "\n" + content)
        tool_chunks = [{"name": c["name"], "args": json.dumps(c["args"], ensure_ascii=False), "id": c["id"], "index": i,
                        "type": "tool_call_chunk"} for i, c in enumerate(calls)]
        final = AIMessageChunk(content=rest, tool_call_chunks=tool_chunks, usage_metadata=usage,
                               response_metadata=meta, chunk_position="last")
        if invalid:
            final.invalid_tool_calls = invalid
        chunk = ChatGenerationChunk(message=final)
        if run_manager and rest:
            run_manager.on_llm_new_token(rest, chunk=chunk)
        yield chunk

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        # Off the event loop: generation takes seconds and would block langgraph dev's server.
        return await asyncio.to_thread(self._generate, messages, stop, None, **kwargs)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs) -> AsyncIterator[ChatGenerationChunk]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        done = object()

        def produce():
            try:
                for chunk in self._stream(messages, stop, None, **kwargs):
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except BaseException as e:
                loop.call_soon_threadsafe(queue.put_nowait, e)
            loop.call_soon_threadsafe(queue.put_nowait, done)

        worker = threading.Thread(target=produce, daemon=True)
        worker.start()
        while (item := await queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            if run_manager and item.message.content:
                await run_manager.on_llm_new_token(item.message.content, chunk=item)
            yield item
