"""Run a compiled agent graph and show it live: tool calls, results, a progress bar while sleeping.

Used by the CLI (``sleep-agent run`` / ``demo``); returns a summary dict with the fields ``--json``
prints: answer, sleeps (that trained), skipped_sleeps, adapter_version, steps, tokens_total, seconds.
"""

from __future__ import annotations

import sys
import time

from langchain_core.messages import AIMessage, ToolMessage

from .call_text import call_signature
from .models.messages import content_text

__all__ = ["SleepBar", "run_live", "summarize"]


def _short(text: str, n: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


class SleepBar:
    """One tqdm bar per sleep, driven by the sleep node's custom stream events."""

    def __init__(self, out):
        self.out, self.bar = out, None

    def update(self, e: dict) -> None:
        from tqdm import tqdm

        phase = e.get("phase")
        if phase == "start":
            print(f"  [sleep {e.get('sleep')}] consolidating {e.get('messages')} messages into the adapter",
                  file=self.out)
        elif phase == "train":
            if self.bar is None:
                self.bar = tqdm(total=e["total"], desc=f"  sleep {e.get('sleep')} training", file=self.out,
                                leave=False, unit="step")
            self.bar.n = e["step"]
            if e.get("loss") is not None:
                self.bar.set_postfix(loss=e["loss"], refresh=False)
            self.bar.refresh()
        elif phase == "done":
            if self.bar is not None:
                self.bar.close()
                self.bar = None
            if e.get("skipped"):
                print(f"  [sleep {e.get('sleep')}] nothing trained: {e['skipped']}; the turns were dropped",
                      file=self.out)
            elif e.get("rejected"):
                print(f"  [sleep {e.get('sleep')}] not published ({'; '.join(e['rejected'])}); "
                      f"keeping adapter v{e.get('version')}", file=self.out)
            else:
                print(f"  [sleep {e.get('sleep')}] adapter v{e.get('version')} published in {e.get('seconds')} s",
                      file=self.out)


def summarize(state: dict, seconds: float) -> dict:
    last = state["messages"][-1] if state.get("messages") else None
    answer = content_text(last.content) if isinstance(last, AIMessage) and not last.tool_calls else ""
    sleeps = state.get("sleeps", [])
    return {
        "answer": answer,
        "sleeps": sum(not s.get("skipped") for s in sleeps),  # the ones that trained
        "skipped_sleeps": sum(bool(s.get("skipped")) for s in sleeps),
        "sleep_seconds": [s.get("seconds", {}).get("total") for s in sleeps if not s.get("skipped")],
        "adapter_version": state.get("adapter_version"),
        "steps": state.get("steps", 0),
        "tokens_total": state.get("tokens_total", 0),
        "seconds": round(seconds, 1),
    }


def run_live(graph, inputs, config: dict, context: dict | None = None, *, quiet: bool = False) -> dict:
    """Stream ``graph`` (updates + custom events), print progress unless ``quiet``, return the summary."""
    out = sys.stderr if quiet else sys.stdout
    bar = SleepBar(out)
    t0 = time.perf_counter()
    # durability="sync": a step's writes are saved before the next step runs, so a crash cannot lose
    # the tool results of a step that ran ahead of its save (tests/test_crash_safety.py).
    for mode, event in graph.stream(inputs, config, context=context, stream_mode=["updates", "custom"],
                                    durability="sync"):
        if quiet:
            continue
        if mode == "custom" and "sleep" in event:
            bar.update(event["sleep"])
            continue
        for node, update in (event or {}).items():
            for m in (update or {}).get("messages", []) if isinstance(update, dict) else []:
                stamp = f"[{time.perf_counter() - t0:6.1f}s]"
                if isinstance(m, AIMessage):
                    for c in m.tool_calls:
                        print(f"{stamp} call   {call_signature(c['name'], c['args'])}", file=out)
                    if not m.tool_calls and content_text(m.content).strip():
                        print(f"{stamp} answer {_short(content_text(m.content), 400)}", file=out)
                elif isinstance(m, ToolMessage):
                    print(f"{stamp} result {_short(content_text(m.content))}", file=out)
    state = graph.get_state(config).values
    return summarize(state, time.perf_counter() - t0)
