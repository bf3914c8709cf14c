"""The demo's last step, asked four ways: with and without the recollection block, adapter on and off.

For every run in ``DIR/demo-runs.jsonl`` (``sleep-agent demo --out DIR``) the thread's final prompt
is rebuilt from its checkpoint - system prompt with the wake note and the recollection block, the
task and what is left of the window, and the note that asks for the answer - and the final answer is
generated again (greedy, as in the run) with the recollection block in or out of the system prompt and
the thread's live adapter on or off. It separates what the block gives from what the weights give in
the agent's own prompt (issue 21: "measure with and without the block"). Written to
``DIR/demo-final-prompt.md`` and ``.json``.

    python -m sleep_agent_benchmarks.demo_final docs [--model qwen2.5-coder-0.5b]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from langchain_core.messages import HumanMessage

from sleep_agent import AgentSettings, LocalChatModel, MemoryContext, SleepMemory, Thread, sqlite_checkpointer
from sleep_agent.graph.prompts import DEFAULT_SYSTEM_PROMPT, DONE_NOTE, answer_now
from sleep_agent.memory import build_prompt
from sleep_agent.models.messages import content_text
from sleep_agent.scoring import is_correct

from .demo_runs import RUNS_FILE

__all__ = ["VARIANTS", "ask_final", "main"]

# (label, recollection block in the prompt, adapter on)
VARIANTS = (("block, base decodes (default)", True, False), ("no block, base decodes", False, False),
            ("block, adapter on", True, True), ("no block, adapter on", False, True))


def ask_final(llm: LocalChatModel, thread_id: str, checkpoint: str | Path | None = None,
              data_dir: Path | None = None) -> dict | None:
    """The four answers of ``thread_id``'s last step (None when the thread has no recollection);
    ``checkpoint`` and ``data_dir`` default to the CLI's (``$SLEEP_AGENT_HOME``)."""
    saved = sqlite_checkpointer(checkpoint).get_tuple({"configurable": {"thread_id": thread_id}})
    values = saved.checkpoint["channel_values"] if saved else {}
    if not values.get("recollection"):
        return None
    window = list(values["messages"])[:-1]  # without the final answer
    task = content_text(window[0].content)
    thread, rt = Thread(thread_id, root=data_dir), llm.rt
    out = {"thread": thread_id, "recollection": values["recollection"]["lines"], "answers": {}}
    # the prompt as the agent node builds it (memory.build_prompt: system prompt, wake note, block, window)
    ctx = MemoryContext(AgentSettings(), thread, llm, DEFAULT_SYSTEM_PROMPT)
    for label, with_block, adapter in VARIANTS:
        state = {**values, "messages": window, "recollection": values["recollection"] if with_block else None}
        prompt = build_prompt(SleepMemory(), state, ctx) + [HumanMessage(answer_now(DONE_NOTE, task))]
        with rt.lock:
            thread.activate(rt, merged=False)
            if not adapter:
                rt.deactivate_adapter()
            out["answers"][label] = content_text(llm.invoke(prompt, max_new_tokens=64).content).strip()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", help="the folder `sleep-agent demo --out` wrote (demo-runs.jsonl)")
    p.add_argument("--model", default="qwen2.5-coder-0.5b")
    p.add_argument("--checkpoint", default=None, help="the checkpoint file the runs used (default: the CLI's)")
    args = p.parse_args(argv)
    out = Path(args.dir)
    runs = [json.loads(line) for line in (out / RUNS_FILE).read_text().splitlines() if line.strip()]
    llm = LocalChatModel(model_name=args.model)
    results = []
    for run in runs:
        r = ask_final(llm, run["thread"], args.checkpoint)
        if r is not None:
            r.update(seed=run.get("seed"), mode=run.get("mode"), expected=run["expected"],
                     right={k: is_correct(v, run["expected"]) for k, v in r["answers"].items()})
            results.append(r)
    (out / "demo-final-prompt.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = ["# The demo's last step, four ways", "",
             "Produced by: `python -m sleep_agent_benchmarks.demo_final " + args.dir + "` (greedy; each run's final "
             "prompt rebuilt from its checkpoint; the run's own answer may differ where the run's last step differed).", "",
             "| seed | run mode | expected | " + " | ".join(v[0] for v in VARIANTS) + " |",
             "|---|---|---|" + "---|" * len(VARIANTS)]
    for r in results:
        cells = [f"{'RIGHT' if r['right'][v[0]] else 'WRONG'}: {r['answers'][v[0]][:60]}".replace("|", "/")
                 for v in VARIANTS]
        lines.append(f"| {r['seed']} | {r['mode']} | {r['expected']} | " + " | ".join(cells) + " |")
    lines += ["", "Right answers: " + ", ".join(f"{v[0]} {sum(r['right'][v[0]] for r in results)} of {len(results)}"
                                                for v in VARIANTS) + "."]
    (out / "demo-final-prompt.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
