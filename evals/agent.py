"""Agent mode: the model drives the tools itself, in the real graph, then answers the task's questions.

The tool world comes from the task's trajectory: each tool the trajectory calls becomes a LangChain
tool that answers the same arguments with the same results (in order, for a key called more than
once, as in the ``state`` family; the last result repeats after that), as the structured artifact
the sleep reads, and as text followed by the next planned call (a paginated API's "next" link, as in
the demo's archive). Arguments the trajectory never used get a tool error naming the known ones, so
a model that invents a name learns nothing from it.
The agent is told which calls to make (the task's text plus the plan, one call per step) and runs in
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

import json
import time
from collections import defaultdict
from pathlib import Path

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import StructuredTool, ToolException
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import create_model

from sleep_agent import AdapterStore, AgentSettings, build_agent
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT
from sleep_agent.memory import MemoryContext, get_strategy
from sleep_agent.models import LocalChatModel
from sleep_agent.models.messages import to_template_dicts

from .answering import SYSTEM_PROMPT, answer_task
from .scripted import RunResult
from .tasks import EvalTask

__all__ = ["run_agent", "agent_budget", "ToolWorld", "AGENT_STRATEGIES"]

AGENT_STRATEGIES = ("sleep", "vector", "summary", "window", "full", "floor")
# Agent steps allowed per planned call: one to call, one spare for a retry or a malformed reply.
STEPS_PER_CALL = 2
# "Not done yet" messages a run may get when the model stops before its plan is done.
MAX_NUDGES = 3


def _key(name: str, args: dict) -> str:
    return name + json.dumps(args, sort_keys=True)


class ToolWorld:
    """The tools of a task's trajectory, answering what the trajectory answered."""

    def __init__(self, task: EvalTask):
        self.results: dict[str, list[str]] = defaultdict(list)  # call key -> results in trajectory order
        self.served: dict[str, int] = defaultdict(int)
        self.plan: list[tuple[str, dict]] = []
        self.arg_types: dict[str, dict[str, type]] = {}
        pending = {}
        for m in task.messages:
            if isinstance(m, AIMessage):
                for c in m.tool_calls:
                    pending[c["id"]] = (c["name"], c["args"])
                    self.plan.append((c["name"], c["args"]))
                    self.arg_types.setdefault(c["name"], {k: type(v) for k, v in c["args"].items()})
            elif isinstance(m, ToolMessage) and m.tool_call_id in pending:
                name, args = pending.pop(m.tool_call_id)
                self.results[_key(name, args)].append(m.content if isinstance(m.content, str) else json.dumps(m.content))
        self.errors = 0
        self.cursor = 0  # the next planned call

    def hint(self) -> str:
        if self.cursor >= len(self.plan):
            return "That was the last planned call: reply DONE."
        name, args = self.plan[self.cursor]
        return f"Next: call {json.dumps({'name': name, 'arguments': args})}"

    def call(self, name: str, args: dict) -> tuple[str, dict | None]:
        """``(content, artifact)``: the trajectory's result followed by the next planned call (like a
        paginated API's "next" link: a 0.5B model otherwise stops after one call and echoes the
        result), and the result itself as the structured artifact the sleep reads."""
        key = _key(name, args)
        if key not in self.results:
            self.errors += 1
            known = sorted({json.dumps(a, sort_keys=True) for n, a in self.plan if n == name})
            raise ToolException(f"no record for {name} {json.dumps(args)}; known arguments: {', '.join(known[:8])}"
                                + (" ..." if len(known) > 8 else "") + f". {self.hint()}")
        results = self.results[key]
        out = results[min(self.served[key], len(results) - 1)]
        self.served[key] += 1
        if self.cursor < len(self.plan) and _key(*self.plan[self.cursor]) == key:
            self.cursor += 1
        try:
            artifact = json.loads(out)
        except ValueError:
            artifact = None
        return f"{out}\n{self.hint()}", artifact if isinstance(artifact, dict) else None

    def tools(self) -> list[StructuredTool]:
        out = []
        for name, types in self.arg_types.items():
            schema = create_model(f"{name}_args", **{k: (t, ...) for k, t in types.items()})
            out.append(StructuredTool.from_function(
                lambda _n=name, **kw: self.call(_n, kw), name=name, args_schema=schema,
                response_format="content_and_artifact", handle_tool_error=True,
                description=f"{name}({', '.join(types)}): returns the record as JSON and the next call to make."))
        return out

    def prompt(self, task_text: str) -> str:
        # one call per line in the JSON form the model emits its own calls in: a 0.5B model copies
        # "lookup(name=...)" notation into the tool name
        calls = "\n".join(json.dumps({"name": n, "arguments": a}) for n, a in self.plan)
        return (f"{task_text}\nMake these {len(self.plan)} tool calls, one per step, in this order. "
                f"Each result names the next call. After the last one, reply DONE.\n{calls}")

    def planned_calls_made(self) -> int:
        """Planned calls the agent made at least as many times as planned (order not required)."""
        need = defaultdict(int)
        for n, a in self.plan:
            need[_key(n, a)] += 1
        return sum(min(need[k], self.served[k]) for k in need)


def agent_budget(runtime, world: ToolWorld, tools: list, task: EvalTask, prompt: str, budget: int, *,
                 recall: bool, high_water: float) -> int:
    """The agent's budget that leaves its trajectory as many turns of room as ``budget`` leaves the
    scripted replay. Two things are bigger in the agent's prompt: the fixed part (its instructions,
    the plan, the tool schemas with the sleep agent's ``recall`` tool) and each turn (the result's
    next-call hint). Without both, the agent had room for under 3 turns where the replay had 4-5,
    and slept every other step (measured: 6 sleeps in 16 steps)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from sleep_agent.graph.recall_tool import make_recall_tool
    from sleep_agent.memory import group_turns

    tools = tools + ([make_recall_tool(None)] if recall else [])
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
                             sleep_passes=passes, high_water=high_water)
    result = RunResult(items=[])
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
        result.sleep_seconds = sum((s.get("seconds") or {}).get("total", 0) for s in state.get("sleeps") or [])
    result.agent = {"steps": len(result.steps), "calls_planned": len(world.plan),
                    "planned_calls_made": world.planned_calls_made(), "tool_errors": world.errors,
                    "nudges": nudges, "context_budget": budget}
    ctx = MemoryContext(settings, thread, data_dir / "threads" / thread, llm)
    result.items = answer_task(runtime, task, memory, get_strategy(base), ctx, state,
                               AdapterStore(thread, data_dir), error=result.error)
    return result
