"""The tools of a task, rebuilt from its trajectory: what agent mode calls and what both modes render.

Each tool the trajectory calls becomes a LangChain tool that answers the same arguments with the same
results (in order, for a key called more than once, as in the ``state`` family; the last result
repeats after that), as the structured artifact the sleep reads, and as text followed by the next
planned call (a paginated API's "next" link, as in the demo's archive). Arguments the trajectory
never used get a tool error naming the known ones, so a model that invents a name learns nothing.

Both eval modes render the agent's prompt with these tools' schemas (plus the sleep agent's
``recall`` tool), as the graph does, so a scripted row measures the prompt the agent would see; for a
user's ``--tasks`` file the schemas come from the calls in it.

Example::

    >>> world = ToolWorld(task)
    >>> [t.name for t in world.tools()], world.hint()
"""

from __future__ import annotations

import json
from collections import defaultdict

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import StructuredTool, ToolException
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import create_model

from sleep_agent.graph.recall_tool import make_recall_tool

from .tasks import EvalTask

__all__ = ["ToolWorld", "tool_schemas", "with_recall"]


def _key(name: str, args: dict) -> str:
    return name + json.dumps(args, sort_keys=True)


class ToolWorld:
    """The tools of a task's trajectory, answering what the trajectory answered.

    ``hints=False`` leaves out the next-call hint, so results are exactly the trajectory's (to replay
    a trajectory through the graph and compare it with the scripted mode)."""

    def __init__(self, task: EvalTask, *, hints: bool = True):
        self.hints = hints
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
        text = f"{out}\n{self.hint()}" if self.hints else out
        return text, artifact if isinstance(artifact, dict) else None

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


def with_recall(tools: list, recall: bool) -> list:
    """``tools`` plus the sleep agent's ``recall`` tool when ``recall`` (its schema only matters here)."""
    return tools + ([make_recall_tool(None)] if recall else [])


def tool_schemas(task: EvalTask, *, recall: bool) -> list[dict]:
    """The OpenAI-format schemas the agent's prompt renders for ``task`` (see the module docstring)."""
    return [convert_to_openai_tool(t) for t in with_recall(ToolWorld(task).tools(), recall)]
