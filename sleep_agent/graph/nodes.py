"""The agent and memory nodes, and the routing between them (the sleep node is in sleep_node.py).

    START -> agent --tool calls--> tools -> memory --under budget--> agent
               |                              '--over high-water--> sleep -> agent
               '--final answer--> END
"""

from __future__ import annotations

from contextlib import nullcontext

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from ..crashpoints import crash_point
from ..memory import Sleep, apply_update, build_prompt, memory_step, split_task
from ..models.messages import content_text
from ..names import DONE_KEY, GRAPH_NOTE_KEY
from ..settings import AgentContext
from .context import AgentConfig, run_settings
from .prompts import DONE_NOTE, LOOP_NOTE, answer_now, invalid_call_feedback

__all__ = ["make_agent_node", "make_memory_node", "make_router", "MAX_PARSE_RETRIES"]

MAX_PARSE_RETRIES = 2  # invalid or empty replies in a row before the run ends with the model's text
REPEAT_LIMIT = 3       # identical tool results in a row before the model must answer without tools


def _says_done(message: ToolMessage) -> bool:
    """Whether a tool result's artifact says there is nothing left to call for (names.DONE_KEY)."""
    return isinstance(message.artifact, dict) and message.artifact.get(DONE_KEY) is True


def _latest_results(messages) -> list[ToolMessage]:
    """The tool results after the last assistant message (the step that just ran)."""
    out = []
    for m in reversed(messages):
        if not isinstance(m, ToolMessage):
            break
        out.append(m)
    return out


def make_agent_node(cfg: AgentConfig):
    bound = cfg.llm.bind_tools(cfg.tools)

    def agent(state: dict, runtime: Runtime[AgentContext], config) -> dict:
        settings = run_settings(runtime, cfg.settings)
        ctx = cfg.memory_context(settings, config)
        strategy = cfg.strategy(settings)
        # A small model can loop on a call whose result no longer changes, or call again after a
        # tool said it is done; then it answers with no tools bound, so it must reply in words.
        model, stuck, done = bound, state.get("repeats", 0) >= REPEAT_LIMIT - 1, state.get("tools_done", False)
        rt = cfg.runtime()
        with rt.lock:  # this thread's adapter and the generation, atomically
            # Folding pays only when the agent itself decodes with the adapter (settings.act_with_adapter).
            live = ctx.thread.activate(rt, settings.merge_adapter and settings.act_with_adapter)
            prepared = strategy.prepare(state, ctx)  # e.g. the sleep memory's recollection (adapter on)
            prompt = build_prompt(strategy, {**state, **prepared}, ctx)
            if stuck or done:
                pinned, _ = split_task(state.get("messages") or [])
                task = content_text(pinned[-1].content) if pinned else ""
                model, prompt = cfg.llm, prompt + [HumanMessage(answer_now(DONE_NOTE if done else LOOP_NOTE, task))]
            with nullcontext() if settings.act_with_adapter else rt.adapter_disabled():
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
            **prepared,
            "messages": [reply],
            "steps": state.get("steps", 0) + 1,
            "prompt_tokens": usage.get("input_tokens", 0),
            "tokens_total": state.get("tokens_total", 0) + usage.get("total_tokens", 0),
            "adapter_version": live.version if live else None,
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
                update["messages"].append(HumanMessage(invalid_call_feedback(problems),
                                                         additional_kwargs={GRAPH_NOTE_KEY: "feedback"}))
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


def make_memory_node(cfg: AgentConfig):
    def memory(state: dict, runtime: Runtime[AgentContext], config) -> Command:
        settings = run_settings(runtime, cfg.settings)
        step = memory_step(cfg.strategy(settings), state, cfg.memory_context(settings, config))
        update: dict = {"prompt_tokens": step.tokens}
        if step.truncated:
            update["messages"] = step.truncated
        # Count identical consecutive tool results in state, so the count survives a sleep.
        window = apply_update(state, {"messages": step.truncated}).get("messages", [])
        results = [content_text(m.content) for m in window if isinstance(m, ToolMessage)]
        if results:
            same = results[-1] == state.get("last_result")
            update.update(last_result=results[-1], repeats=state.get("repeats", 0) + 1 if same else 0)
        if any(_says_done(m) for m in _latest_results(state["messages"])):
            update["tools_done"] = True
        if isinstance(step.outcome, Sleep):  # the sleep node consolidates exactly these turns
            return Command(goto="sleep", update={**update, "sleep_evict": [m.id for m in step.outcome.evicted]})
        for key, value in (step.outcome.values.items() if step.outcome else ()):
            update[key] = update.get(key, []) + value if key == "messages" else value
        return Command(goto="agent", update=update)

    return memory

