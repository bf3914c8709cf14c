"""Tokens in context and wall time per step, for each memory strategy, on one long task.

The task is the demo's: read every record of a made-up archive with ``next_record``, one call per
reply, in a small window so it overflows; then answer about record 1. Each strategy runs the same
task on the same model from a fresh thread. Per agent step it records the prompt's tokens (exact,
template and tools included) and the wall time since the previous step (so a step's time includes
the tool call, the memory node and - for sleep - the sleep that preceded it).

    .venv/bin/python benchmarks/memory_steps.py [--records 10] [--budget 600] [--out docs]

Writes ``memory-steps.json`` and ``memory-steps.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

STRATEGIES = ("sleep", "vector", "summary", "window", "full")


def run_strategy(llm, memory: str, records: int, budget: int, data_dir: Path) -> dict:
    from langgraph.checkpoint.memory import InMemorySaver

    from sleep_agent import build_agent
    from sleep_agent_tools import RecordArchive

    archive = RecordArchive(seed=7, size=records)
    first = archive.people[0]
    task = (f"The archive holds {records} records. Call next_record again and again, one call per reply, "
            "until it says there are no more records. Do not stop early. Then answer this question: "
            f"in which city does {first.name} live?")
    graph = build_agent(llm, [archive.tool()], data_dir=data_dir, settings={
        "memory": memory, "context_budget": budget, "keep_last_turns": 1, "max_steps": records + 6}).compile(
        checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": f"steps-{memory}"}, "recursion_limit": 1000}
    steps, t_last, t0 = [], time.perf_counter(), time.perf_counter()
    for update in graph.stream({"messages": [("user", task)]}, config, stream_mode="updates"):
        if "agent" in update:
            now = time.perf_counter()
            steps.append({"prompt_tokens": update["agent"].get("prompt_tokens", 0),
                          "seconds": round(now - t_last, 2)})
            t_last = now
    state = graph.get_state(config).values
    last = state["messages"][-1]
    answer = last.content if isinstance(last.content, str) else str(last.content)
    return {"memory": memory, "steps": steps, "records_read": archive.position_of(f"steps-{memory}"),
            "sleeps": len(state.get("sleeps", [])), "evicted_messages": state.get("evicted_messages", 0),
            "answer": answer[:200], "right": first.city.lower() in answer.lower(),
            "seconds": round(time.perf_counter() - t0, 1),
            "mean_prompt_tokens": round(statistics.mean(s["prompt_tokens"] for s in steps), 1) if steps else 0,
            "max_prompt_tokens": max((s["prompt_tokens"] for s in steps), default=0),
            "median_step_seconds": round(statistics.median(s["seconds"] for s in steps), 2) if steps else 0}


def table(results: list[dict]) -> str:
    rows = ["| memory | steps | records read | sleeps | mean / max prompt tokens | median step s | total s | "
            "answer right |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r['memory']} | {len(r['steps'])} | {r['records_read']} | {r['sleeps']} | "
                    f"{r['mean_prompt_tokens']} / {r['max_prompt_tokens']} | {r['median_step_seconds']} | "
                    f"{r['seconds']} | {r['right']} |")
    rows.append("\nPrompt tokens per step:\n")
    for r in results:
        rows.append(f"- {r['memory']}: " + ", ".join(str(s["prompt_tokens"]) for s in r["steps"]))
    rows.append("\nSeconds per step (includes the tool call, memory node and any sleep before it):\n")
    for r in results:
        rows.append(f"- {r['memory']}: " + ", ".join(str(s["seconds"]) for s in r["steps"]))
    return "\n".join(rows) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--records", type=int, default=10)
    p.add_argument("--budget", type=int, default=600)
    p.add_argument("--memories", default=",".join(STRATEGIES))
    p.add_argument("--out", default=None)
    p.add_argument("--model", default=None, help="registry name (default: the default model)")
    args = p.parse_args(argv)
    from sleep_agent import DEFAULT_MODEL, LocalChatModel

    llm = LocalChatModel(model_name=args.model or DEFAULT_MODEL)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for memory in args.memories.split(","):
            print(f"[{memory}] running ...", file=sys.stderr)
            results.append(run_strategy(llm, memory, args.records, args.budget, Path(tmp)))
            print(f"[{memory}] {results[-1]['seconds']} s, {len(results[-1]['steps'])} steps", file=sys.stderr)
    command = "python benchmarks/memory_steps.py " + " ".join(argv if argv is not None else sys.argv[1:])
    doc = {"command": command.strip(), "model": llm.model_name, "machine": f"{platform.machine()}, "
           f"{os.cpu_count()} CPU cores", "records": args.records, "budget": args.budget, "results": results}
    md = f"# Tokens and time per step, per memory\n\nCommand: `{doc['command']}` ({doc['machine']}, " \
         f"{doc['model']})\n\n" + table(results)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "memory-steps.json").write_text(json.dumps(doc, indent=2) + "\n")
        (Path(args.out) / "memory-steps.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
