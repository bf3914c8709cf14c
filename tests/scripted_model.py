"""A LocalChatModel whose decoded text comes from a script instead of the network's sampling.

Tests that need the agent to call tools or to emit a given malformed reply cannot get that from
the tiny random model. Only decoding is replaced: the text goes through the real reply path
(``LocalChatModel._message``: tool-call parsing, validation, ``invalid_tool_calls``), and the
runtime is real (exact token counts, adapters, sleep training), so everything after the model's
text is the code users run.

Example::

    >>> llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda prompt, n: '{"name": "ping"}')
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from sleep_agent import LocalChatModel

__all__ = ["ScriptedChatModel", "Script"]

Script = Callable[[list[BaseMessage], int], str]  # (prompt messages, call number from 0) -> raw text


class ScriptedChatModel(LocalChatModel):
    """``script(prompt, n)`` gives the raw text of the n-th reply; ``calls`` records each call's
    prompt, raw text, the tools bound (None: none), the thread's adapter that was loaded
    (``rt.adapter_path``) when it was made and whether it shaped the reply (``adapter_on``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: Callable = lambda prompt, n: ""  # noqa: E731
    calls: list = []
    disable_streaming: bool = True  # streaming would decode with the network, not the script

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = []  # one list per instance (the class default would be shared)

    def __repr__(self) -> str:  # the recorded prompts can be megabytes: keep failure reports short
        return f"ScriptedChatModel({len(self.calls)} calls)"

    def _generate(self, messages, stop=None, run_manager=None, *, tools=None, tool_choice=None,
                  max_new_tokens=None, max_tool_calls=None, **kwargs) -> ChatResult:
        text = self.script(list(messages), len(self.calls))
        self.calls.append({"prompt": list(messages), "text": text, "tools": tools,
                           "adapter": self.runtime.adapter_path if self.runtime else None,
                           "adapter_on": bool(self.runtime and self.runtime.adapter_enabled)})
        content, calls, invalid, usage, meta = self._message(text, tools, 0, 0)
        msg = AIMessage(content=content, tool_calls=calls, invalid_tool_calls=invalid,
                        usage_metadata=usage, response_metadata=meta)
        return ChatResult(generations=[ChatGeneration(message=msg)])
