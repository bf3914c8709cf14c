"""The agent and memory nodes, and the routing between them (the sleep node is in sleep_node.py).

    START -> agent --tool calls--> tools -> memory --under budget--> agent
               |                              '--over high-water--> sleep -> agent
               '--final answer--> END
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from ..crashpoints import crash_point
from ..memory import SLEEP
from ..models.messages import content_text
from ..settings import AgentContext, AgentSettings
from .context import AgentConfig, run_settings, split_task, thread_id_of, use_thread_adapter
from .prompts import LOOP_NOTE, invalid_call_feedback

__all__ = ["make_agent_node", "make_memory_node", "make_router", "build_prompt", "MAX_PARSE_RETRIES"]

MAX_PARSE_RETRIES = 2  # invalid or empty replies in a row before the run ends with the model's text
REPEAT_LIMIT = 3       # identical tool results in a row before the model must answer without tools


def build_prompt(cfg: AgentConfig, state: dict, settings: AgentSettings, config) -> list:
    """System prompt (+ the strategy's context text) followed by the window."""
    extra = cfg.strategy(settings).context(state, cfg.memory_context(settings, config))
    system = cfg.system_prompt + (f"\n\n{extra}" if extra else "")
    return [SystemMessage(system)] + list(state.get("messages", []))


def make_agent_node(cfg: AgentConfig):
    bound = cfg.llm.bind_tools(cfg.tools)

    def agent(state: dict, runtime: Runtime[AgentContext], config) -> dict:
        settings = run_settings(runtime, cfg.settings)
        prompt = build_prompt(cfg, state, settings, config)
        # A small model can loop on a call whose result no longer changes; then it answers with
        # no tools bound, so it must reply in words.
        model, stuck = bound, state.get("repeats", 0) >= REPEAT_LIMIT - 1
        if stuck:
            model, prompt = cfg.llm, prompt + [HumanMessage(LOOP_NOTE)]
        with cfg.runtime().lock:  # this thread's adapter and the generation, atomically
            version = use_thread_adapter(cfg, thread_id_of(config), settings.merge_adapter)
            reply: AIMessage = model.invoke(prompt, config, max_new_tokens=settings.max_new_tokens,
                                            max_tool_calls=settings.max_tool_calls_per_step)
        sleeps = state.get("sleeps") or []
        if sleeps and sleeps[-1].get("at_step") == state.get("steps", 0):
            crash_point("wake")  # first reply after a sleep, on the new adapter, not yet checkpointed
        if len(reply.tool_calls) > settings.max_tool_calls_per_step:
            reply = reply.model_copy(update={"tool_calls": reply.tool_calls[:settings.max_tool_calls_per_step]})
        if reply.tool_calls and content_text(reply.content).strip():
            # Text beside a tool call from a small model is mostly echo or junk (e.g. '{"name": "'),
            # and left in the window it gets copied into later replies; keep it in metadata only.
            meta = {**reply.response_metadata, "text_beside_calls": content_text(reply.content)}
            reply = reply.model_copy(update={"content": "", "response_metadata": meta})
        usage = reply.usage_metadata or {}
        update = {
            "messages": [reply],
            "steps": state.get("steps", 0) + 1,
            "prompt_tokens": usage.get("input_tokens", 0),
            "tokens_total": state.get("tokens_total", 0) + usage.get("total_tokens", 0),
            "adapter_version": version,
        }
        if stuck:  # the next tool result starts a fresh count
            update.update(repeats=0, last_result="")
        problems = [c.get("error") or "" for c in reply.invalid_tool_calls]
        if not reply.tool_calls and not problems and not content_text(reply.content).strip():
            problems = ["the reply was empty"]
        if problems and not reply.tool_calls:
            retries = state.get("parse_retries", 0) + 1
            update["parse_retries"] = retries
            if retries <= MAX_PARSE_RETRIES and update["steps"] < settings.max_steps:
                update["messages"].append(HumanMessage(invalid_call_feedback(problems)))
        else:
            update["parse_retries"] = 0
        return update

    return agent


def make_router(cfg: AgentConfig):
    def route_after_agent(state: dict, runtime: Runtime[AgentContext]) -> str:
        last = state["messages"][-1]
        if state.get("steps", 0) >= run_settings(runtime, cfg.settings).max_steps:
            return END
        if isinstance(last, AIMessage) and last.tool_calls:
            return "tools"
        if isinstance(last, HumanMessage):  # feedback on an invalid tool call: let the model retry
            return "agent"
        return END

    return route_after_agent


def _truncate_tool_results(messages: list, limit: int) -> list:
    """Replacements (same id) for tool results longer than ``limit``, with an explicit marker."""
    out = []
    for m in messages:
        if isinstance(m, ToolMessage):
            text = content_text(m.content)
            if len(text) > limit:
                marker = f"\n[... truncated by sleep-agent: {len(text) - limit} of {len(text)} characters cut]"
                out.append(m.model_copy(update={"content": text[:limit] + marker}))
    return out


def make_memory_node(cfg: AgentConfig):
    def memory(state: dict, runtime: Runtime[AgentContext], config) -> Command:
        settings = run_settings(runtime, cfg.settings)
        update: dict = {}
        replaced = _truncate_tool_results(state.get("messages", [])[-8:], settings.max_tool_result_chars)
        if replaced:
            update["messages"] = replaced
            by_id = {m.id: m for m in replaced}
            state = {**state, "messages": [by_id.get(m.id, m) for m in state["messages"]]}
        # Count identical consecutive tool results in state, so the count survives a sleep.
        results = [content_text(m.content) for m in state.get("messages", []) if isinstance(m, ToolMessage)]
        if results:
            same = results[-1] == state.get("last_result")
            update.update(last_result=results[-1], repeats=state.get("repeats", 0) + 1 if same else 0)
        prompt = build_prompt(cfg, state, settings, config)
        tokens = cfg.llm.get_num_tokens_from_messages(prompt, tools=cfg.tools)
        update["prompt_tokens"] = tokens
        if tokens <= settings.high_water * settings.context_budget:
            return Command(goto="agent", update=update)
        _, body = split_task(state["messages"])
        result = cfg.strategy(settings).on_overflow({**state, "prompt_tokens": tokens}, body,
                                                    cfg.memory_context(settings, config))
        if result == SLEEP:
            return Command(goto="sleep", update=update)
        for key, value in result.items():
            update[key] = update.get(key, []) + value if key == "messages" else value
        return Command(goto="agent", update=update)

    return memory
