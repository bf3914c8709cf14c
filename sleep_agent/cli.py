"""The ``sleep-agent`` command line.

    sleep-agent models [--json]            list the offline models and their state
    sleep-agent models prepare [NAME]      verify (sha256) and convert a model to bf16 once
    sleep-agent chat "PROMPT" [--model M]  a short tool-using chat (calculator, workspace, notes)
    sleep-agent demo [--model M]           the main job: a tool-using task whose answer is checked
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # offline first: never reach the hub at run time

__all__ = ["main"]


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_models(args) -> int:
    from .models import MODELS, ensure_converted, model_status

    if args.action == "prepare":
        names = [args.name] if args.name else [n for n in MODELS if model_status(MODELS[n]).installed]
        for name in names:
            ensure_converted(MODELS[name], log=lambda m: print(m, file=sys.stderr))
    rows = [model_status(spec).to_dict() for spec in MODELS.values()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'model':<22}{'installed':>10}{'verified':>10}{'converted':>11}{'size':>10}  description")
    for r in rows:
        mark = lambda b: "yes" if b else "no"  # noqa: E731
        size = _human(r["converted_bytes"] or r["gguf_bytes"])
        name = r["name"] + (" *" if r["default"] else "")
        print(f"{name:<22}{mark(r['installed']):>10}{mark(r['verified']):>10}{mark(r['converted']):>11}"
              f"{size:>10}  {r['description']}")
    print("\n* default model. Missing models install with the command in `sleep-agent models --json`.")
    return 0


def _chat(prompt: str, model: str, workspace: str, max_steps: int, max_new_tokens: int) -> str:
    """Run a short tool loop (model -> tools -> model) and return the final answer."""
    from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

    from tools import default_tools

    from .models import LocalChatModel

    tools = default_tools(workspace)
    by_name = {t.name: t for t in tools}
    llm = LocalChatModel(model_name=model, max_new_tokens=max_new_tokens)
    t0 = time.perf_counter()
    llm.rt  # load now so the model's load time is reported on its own
    print(f"[model {model} loaded in {time.perf_counter() - t0:.1f} s]", file=sys.stderr)
    bound = llm.bind_tools(tools)
    messages = [SystemMessage("You are a helpful assistant. Use the tools when they help."),
                HumanMessage(prompt)]
    for _ in range(max_steps):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        for call in reply.tool_calls:
            result = by_name[call["name"]].invoke(call["args"])
            print(f"  -> {call['name']}({json.dumps(call['args'])}) = {str(result)[:200]}")
            messages.append(ToolMessage(str(result), tool_call_id=call["id"], name=call["name"]))
    return messages[-1].content if not messages[-1].tool_calls else ""


def cmd_chat(args) -> int:
    answer = _chat(args.prompt, args.model, args.workspace, args.max_steps, args.max_new_tokens)
    print(answer or "(no final answer within --max-steps)")
    return 0


def cmd_demo(args) -> int:
    """Until the sleeping graph lands: a tool-using task with a checked answer."""
    import tempfile

    expected = 1234 * 5678 + 99
    prompt = "Use the calculator to compute 1234 * 5678 + 99, then tell me the result."
    print(f"task: {prompt}")
    with tempfile.TemporaryDirectory() as ws:
        answer = _chat(prompt, args.model, ws, 4, 256)
    ok = str(expected) in answer.replace(",", "")
    print(f"answer: {answer}\nexpected {expected}: {'RIGHT' if ok else 'WRONG'}")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    from .models import DEFAULT_MODEL

    p = argparse.ArgumentParser(prog="sleep-agent", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser("models", help="list the offline models (installed, verified, converted, size)")
    m.add_argument("action", nargs="?", choices=["list", "prepare"], default="list")
    m.add_argument("name", nargs="?", help="model to prepare (default: every installed one)")
    m.add_argument("--json", action="store_true", help="print the list as JSON")
    m.set_defaults(func=cmd_models)

    c = sub.add_parser("chat", help="a short tool-using chat with a local model")
    c.add_argument("prompt")
    c.add_argument("--model", default=DEFAULT_MODEL)
    c.add_argument("--workspace", default=".", help="folder the file tools are confined to")
    c.add_argument("--max-steps", type=int, default=4)
    c.add_argument("--max-new-tokens", type=int, default=256)
    c.set_defaults(func=cmd_chat)

    d = sub.add_parser("demo", help="the main job on the default model, with a checked answer")
    d.add_argument("--model", default=DEFAULT_MODEL)
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .models import ModelIntegrityError, ModelNotInstalledError, UnknownModelError

    try:
        return args.func(args)
    except (ModelIntegrityError, ModelNotInstalledError, UnknownModelError) as e:
        print(f"sleep-agent: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
