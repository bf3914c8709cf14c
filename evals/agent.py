"""Agent mode: the model drives the tools itself, in the real graph, then answers the task's questions.

The tools are the task's own, rebuilt from its trajectory (:mod:`.toolworld`). The agent is told
which calls to make (the task's text plus the plan, one call per step) and runs in
:func:`sleep_agent.build_agent` with the memory under test: the memory node, the sleep node and
its adapter, the vector store, the summariser - everything a user's run has. What it remembers
then depends on the memory *and* on how well the model drives the tools, so each run records the
calls planned, the planned calls made, tool errors, agent steps and "not done yet" nudges (a model
that answers before its plan is done gets up to MAX_NUDGES of them) beside the answers.

``budget`` is the scripted mode's; the agent gets a budget that leaves its trajectory the same
number of turns of room (:func:`agent_budget`: the plan, the tool schemas and each result's hint
would otherwise squeeze the trajectory out of a small window). ``vector+notes`` does not exist in the graph
(it is a scripted ablation); ``floor`` needs no run.

Example::

    >>> res = run_agent(runtime, suite("smoke", 0)[0], "window", passes=1, budget=768,
    ...                 data_dir=Path("eval-out/data"), thread="t1")
    >>> res.agent["planned_calls_made"], res.items[0]["correct"]
"""

from __future__ import annotations

import time
from pathlib import Path

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.checkpoint.memory import InMemorySaver

from sleep_agent import AgentSettings, LocalChatModel, MemoryContext, SleepConfig, Thread, build_agent, get_strategy
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
from sleep_agent.memory import group_turns
from sleep_agent.models.messages import to_template_dicts

from .answering import SYSTEM_PROMPT, answer_task
from .result import RunResult, sleep_verdicts
from .tasks import EvalTask
from .toolworld import ToolWorld, with_recall

__all__ = ["run_agent", "agent_budget", "ToolWorld", "AGENT_STRATEGIES"]

AGENT_STRATEGIES = ("sleep", "vector", "summary", "window", "full", "floor")
# Agent steps allowed per planned call: one to call, one spare for a retry or a malformed reply.
STEPS_PER_CALL = 2
# "Not done yet" messages a run may get when the model stops before its plan is done.
MAX_NUDGES = 3


def agent_budget(runtime, world: ToolWorld, tools: list, task: EvalTask, prompt: str, budget: int, *,
                 recall: bool, high_water: float) -> int:
    """The agent's budget that leaves its trajectory as many turns of room as ``budget`` leaves the
    scripted replay. Two things are bigger in the agent's prompt: the fixed part (its instructions,
    the plan, the tool schemas with the sleep agent's ``recall`` tool) and each turn (the result's
    next-call hint). Without both, the agent had room for under 3 turns where the replay had 4-5,
    and slept every other step (measured: 6 sleeps in 16 steps)."""
    tools = with_recall(tools, recall)
    fixed_agent = runtime.count_tokens([{"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
                                        {"role": "user", "content": prompt}],
                                       [convert_to_openai_tool(t) for t in tools])
    fixed_scripted = runtime.count_tokens([{"role": "system", "content": SYSTEM_PROMPT},
                                           {"role": "user", "content": task.messages[0].content}])
    turns = group_turns(task.messages[1:]) or [[]]
    turn = sum(runtime.count_tokens(to_template_dicts(t), add_generation_prompt=False) for t in turns) / len(turns)
    hint = len(runtime.encode("\n" + world.hint()))
    room_turns = max(1.0, (high_water * budget - fixed_scripted) / max(1.0, turn))
    return int((fixed_agent + room_turns * (turn + hint)) / high_water) + 1


def run_agent(runtime, task: EvalTask, memory: str, *, passes: int, budget: int, data_dir: Path,
              thread: str, seed: int = 0, keep_last_turns: int = 1) -> RunResult:
    if memory not in AGENT_STRATEGIES:
        raise ValueError(f"memory {memory!r} has no agent mode: choose from {', '.join(AGENT_STRATEGIES)}")
    base = "window" if memory == "floor" else memory
    llm = LocalChatModel.from_runtime(runtime)
    world = ToolWorld(task)
    tools, prompt = world.tools(), world.prompt(task.messages[0].content)
    high_water = AgentSettings().high_water
    budget = agent_budget(runtime, world, tools, task, prompt, budget, recall=base == "sleep", high_water=high_water)
    settings = AgentSettings(memory=base, context_budget=budget, keep_last_turns=keep_last_turns,
                             sleep=SleepConfig(passes=passes, seed=seed), high_water=high_water)
    result = RunResult(items=[], context_budget=budget)
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}
    state, nudges = {"messages": []}, 0
    if memory != "floor":
        settings.max_steps = STEPS_PER_CALL * len(world.plan) + 4
        # the agent's own instructions (tool use); SYSTEM_PROMPT is the answering prompt
        graph = build_agent(llm, tools, settings=settings, system_prompt=DEFAULT_SYSTEM_PROMPT,
                            data_dir=data_dir).compile(checkpointer=InMemorySaver())
        fed, t_step = 0, time.perf_counter()
        message = prompt
        try:
            while True:
                for update in graph.stream({"messages": [("user", message)]}, config,
                                           stream_mode="updates", durability="sync"):
                    for node, delta in update.items():
                        new = [m for m in (delta or {}).get("messages", [])
                               if isinstance(m, (AIMessage, ToolMessage))]
                        fed += runtime.count_tokens(to_template_dicts(new), add_generation_prompt=False) if new else 0
                        if node == "agent" and new:
                            now = time.perf_counter()
                            usage = new[-1].usage_metadata or {}
                            result.steps.append({"trajectory_tokens": fed,
                                                 "window_tokens": usage.get("input_tokens", 0),
                                                 "seconds": round(now - t_step, 3)})
                            t_step = now
                # The model answered before the plan was done: a user would say "go on". Bounded,
                # and counted in the results, since it measures the model's tool driving.
                done = world.cursor >= len(world.plan)
                if done or nudges >= MAX_NUDGES or len(result.steps) >= settings.max_steps:
                    break
                nudges += 1
                message = f"Not done yet. {world.hint()}"
        except Exception as e:  # recorded, not hidden: e.g. full memory past the model's window
            result.error = f"{type(e).__name__}: {e}"
        state = graph.get_state(config).values
        result.sleeps = len(state.get("sleeps") or [])
        result.verdicts = sleep_verdicts(state.get("sleeps") or [])
        result.sleep_seconds = sum((s.get("seconds") or {}).get("total", 0) for s in state.get("sleeps") or [])
    result.agent = {"steps": len(result.steps), "calls_planned": len(world.plan),
                    "planned_calls_made": world.planned_calls_made(), "tool_errors": world.errors,
                    "nudges": nudges, "context_budget": budget}
    ctx = MemoryContext(settings, Thread(thread, data_dir), llm, DEFAULT_SYSTEM_PROMPT,
                        [convert_to_openai_tool(t) for t in with_recall(tools, base == "sleep")])
    result.items = answer_task(runtime, task, memory, get_strategy(base), ctx, state, error=result.error)
    return result
