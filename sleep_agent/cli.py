"""The ``sleep-agent`` command line.

    sleep-agent demo [--model M]               the main job: a long task with several sleeps, checked
    sleep-agent run "TASK" [--memory ...]      run the agent on a task with the workspace tools
    sleep-agent inspect THREAD [--json]        a thread's sleeps and adapter versions
    sleep-agent memory list|rollback|forget THREAD  what a thread knows; go back; forget one thing
    sleep-agent models [--json]                the offline models and their state
    sleep-agent models prepare [NAME]          verify (sha256) and convert a model to bf16 once
    sleep-agent bench retention [--passes ..]  does a sleep remember? (accuracy vs sleep duration N)
    sleep-agent eval --suite smoke|small|full|recall  memories side by side on long tasks (table + plots)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # offline first: never reach the hub at run time

__all__ = ["main"]


def _human(n: float) -> str:
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


def _settings(args, **overrides) -> dict:
    keys = {"memory": args.memory, "context_budget": args.budget, "sleep_passes": args.passes,
            "sleep_lr": args.lr, "act_with_adapter": args.act_with_adapter or None}
    return {k: v for k, v in {**keys, **overrides}.items() if v is not None}


def _graph(model: str, tools, settings: dict, checkpoint: str | None = None):
    from . import AgentSettings, LocalChatModel, build_agent, sqlite_checkpointer

    AgentSettings.from_any(settings)  # a bad flag stops here, before the model loads
    llm = LocalChatModel(model_name=model)
    t0 = time.perf_counter()
    llm.rt
    print(f"[model {model} loaded in {time.perf_counter() - t0:.1f} s]", file=sys.stderr)
    return build_agent(llm, tools, settings=settings).compile(checkpointer=sqlite_checkpointer(checkpoint))


def cmd_run(args) -> int:
    from sleep_agent_tools import default_tools

    from .console import run_live
    from .paths import validate_thread_id, workspaces_dir

    settings = _settings(args)
    thread = validate_thread_id(args.thread or f"run-{time.strftime('%Y%m%d-%H%M%S')}")
    # Not the current folder by default: the agent's writes stay out of the user's repository.
    workspace = Path(args.workspace) if args.workspace else workspaces_dir() / thread
    print(f"[workspace {workspace}]", file=sys.stderr)
    graph = _graph(args.model, default_tools(workspace, read_hidden=args.read_hidden), settings, args.checkpoint)
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}
    state = graph.get_state(config).values
    inputs = {"messages": [("user", args.task)]} if args.task else None
    if inputs is None and not state:
        print(f"sleep-agent: error: thread {thread!r} has no saved run to resume; give a TASK", file=sys.stderr)
        return 2
    summary = run_live(graph, inputs, config, settings, quiet=args.json)
    summary["thread"] = thread
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"\nthread {thread}: {summary['steps']} steps, {summary['sleeps']} sleep(s), adapter "
              f"v{summary['adapter_version']}, {summary['tokens_total']} tokens, {summary['seconds']} s")
    return 0


# The demo's window and task. At 680 tokens the fixed prompt (system prompt, the next_record and
# recall schemas, task: ~320 tokens) leaves room for 4 records before the first sleep; after a wake
# (wake note and recollection block added: ~430) for 2 more, so 7 records take 2 sleeps and record 1
# leaves the window at the first. At 600, the fixed prompt left no room after waking: a sleep per record.
DEMO_BUDGET = 680
DEMO_RECORDS = 7


def cmd_demo(args) -> int:
    """A long task that overflows the window: read the archive's records (7 by default), then answer
    about the first."""
    from sleep_agent_tools import RecordArchive

    from .cli_demo import left_at_sleep, print_sleeps, sleep_reports
    from .console import run_live
    from .scoring import is_correct

    archive = RecordArchive(seed=args.seed, size=args.records)
    first = archive.people[0]
    task = (f"The archive holds {len(archive.people)} records. Call next_record again and again, one call "
            "per reply, until it says there are no more records. Do not stop early. Then answer this "
            f"question: in which city does {first.name} live?")
    settings = _settings(args, context_budget=args.budget or DEMO_BUDGET, keep_last_turns=1)
    graph = _graph(args.model, [archive.tool()], settings, args.checkpoint)
    thread = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    print(f"task: {task}\n(thread {thread}; window budget {settings['context_budget']} tokens)\n")
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 10_000}
    summary = run_live(graph, {"messages": [("user", task)]}, config, settings, quiet=args.json)
    sleeps = graph.get_state(config).values.get("sleeps") or []
    summary.update(thread=thread, seed=args.seed, mode="adapter on" if args.act_with_adapter else "base + recollection",
                   expected=first.city, records_read=archive.position_of(thread),
                   right=is_correct(summary["answer"], first.city),
                   record1_left_at_sleep=left_at_sleep(sleeps, f"Record 1 of {args.records}: {first.name}"),
                   sleep_reports=sleep_reports(sleeps))
    if args.out:
        from sleep_agent_benchmarks.demo_runs import record_run

        print(f"[run recorded in {record_run(Path(args.out), summary)}]", file=sys.stderr)
    if args.json:
        print(json.dumps(summary))
        return 0 if summary["sleeps"] >= 1 else 1
    print()
    print_sleeps(summary["sleep_reports"])
    print(f"{summary['sleeps']} sleep(s) that trained, {summary['records_read']} records read, "
          f"{summary['steps']} steps, {summary['tokens_total']} tokens handled, {summary['seconds']} s in all.")
    left = summary["record1_left_at_sleep"]
    print(f"record 1 ({first.name}) "
          + (f"left the window at sleep {left} (its trajectory file holds it): the answer had to come "
             "from memory." if left else "never left the window: this run did not test memory."))
    print(f"answer:   {summary['answer'].strip() or '(no answer: the run ended without a reply)'}")
    print(f"expected: {first.city}. The answer is {'RIGHT' if summary['right'] else 'WRONG'}.")
    return 0 if summary["sleeps"] >= 1 else 1


def cmd_inspect(args) -> int:
    from .adapters import Thread
    from .graph import sqlite_checkpointer

    store = Thread(args.thread).store
    versions = store.history()
    saved = sqlite_checkpointer(args.checkpoint).get_tuple({"configurable": {"thread_id": args.thread}})
    values = saved.checkpoint["channel_values"] if saved else {}
    info = {"thread": args.thread, "adapter_versions": versions, "sleeps": values.get("sleeps", []),
            "steps": values.get("steps", 0), "messages_in_window": len(values.get("messages", [])),
            "events": store.events}
    if not versions and not saved:
        print(f"sleep-agent: error: no thread {args.thread!r} (no adapters, no checkpoint)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(info, default=str, indent=2))
        return 0
    print(f"thread {args.thread}: {info['steps']} steps, {len(info['sleeps'])} sleep(s), "
          f"{info['messages_in_window']} messages in the window")
    for v in versions:
        val = (v.get("validation") or {}).get("heldout")
        secs = (v.get("seconds") or {})
        print(f"  v{v['version']:04d} [{v['status']}] parent={v.get('parent')} created={v.get('created')} "
              f"facts={v.get('facts')} passes={v.get('passes')} heldout={val} "
              f"train={secs.get('train')} s loss={(v.get('loss_curve') or [None])[-1]}")
    for e in store.events:
        print(f"  ! {e}")
    return 0


def _ints(minimum: int):
    """argparse type: comma-separated integers >= ``minimum`` ("1,2,4,8")."""
    def parse(text: str) -> list[int]:
        try:
            values = [int(x) for x in text.split(",") if x.strip()]
        except ValueError:
            values = []
        if not values or min(values) < minimum:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated integers >= {minimum} like {minimum},{minimum + 1}, not {text!r}")
        return values
    return parse


def cmd_bench(args) -> int:

    from .models import LocalRuntime

    args.passes = args.passes or ([1, 2, 4, 8] if args.which == "retention" else [1])
    t0 = time.perf_counter()
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    rt = LocalRuntime.load(args.model, device=args.device, log=log, random_init=args.random_init)
    print(f"[model {args.model} loaded in {time.perf_counter() - t0:.1f} s]", file=sys.stderr)
    command = (f"sleep-agent bench {args.which} --model {args.model} --passes {','.join(map(str, args.passes))}"
               + (f" --device {args.device}" if args.device else "") + (" --random-init" if args.random_init else "")
               + (f" --parts {args.parts}" if args.parts else ""))
    if args.which == "retention":
        from sleep_agent_benchmarks.retention import PARTS, format_table, run_retention

        parts = args.parts.split(",") if args.parts else list(PARTS)
        result = run_retention(rt, passes=args.passes, seed=args.seed, limit=args.limit, parts=parts,
                               distill=args.distill, form=args.form, log=log)
        command += f" --seed {args.seed}" + (f" --limit {args.limit}" if args.limit else "") + (
            f" --distill {args.distill}" if args.distill is not None else "") + (
            f" --form {args.form}" if args.form != "json" else "")
        stem = (f"retention-{args.model}" + (f"-{args.form}" if args.form != "json" else "")
                + (f"-distill{args.distill:g}" if args.distill else "") + f"-seed{args.seed}")
        title = (f"Retention: {args.model}" + (f", {args.form} tool results" if args.form != "json" else "")
                 + (f", context distillation {args.distill:g}" if args.distill else "") + f", seed {args.seed}")
    else:
        from sleep_agent_benchmarks.perf import format_table, run_perf

        parts = args.parts.split(",") if args.parts else ["sleep", "raw", "wake", "steps"]
        cpu = rt.base_model.device.type == "cpu"
        max_full = args.max_full_tokens if args.max_full_tokens is not None else (8000 if cpu else None)
        result = run_perf(rt, passes=args.passes, random_init=args.random_init, parts=parts,
                          max_full_tokens=max_full, batch_sizes=args.batch_sizes or (), log=log)
        command += (f" --max-full-tokens {max_full}" if max_full else "") + (
            f" --batch-sizes {','.join(map(str, args.batch_sizes))}" if args.batch_sizes else "")
        kind = "cpu" if cpu else "gpu"
        stem, title = f"perf-{kind}-{Path(args.model).name}", f"Performance: {Path(args.model).name} on {result['device']}"
    result["command"] = command
    if args.out:
        from sleep_agent_benchmarks.results import write_results

        result = write_results(Path(args.out) / stem, result, title, format_table, merge=bool(args.parts))
        if args.which == "retention":  # the headline page: every seed run so far, mean and spread
            from sleep_agent_benchmarks.results import write_seed_summary

            write_seed_summary(Path(args.out) / stem.rsplit("-seed", 1)[0], title.rsplit(", seed", 1)[0],
                               format_table)
    print(json.dumps(result) if args.json else format_table(result))
    return 0


def _questions(text: str) -> str:
    """argparse type of ``eval --questions``: dev, test, or a positive count (for --locomo)."""
    if text in ("dev", "test") or (text.isdigit() and int(text) > 0):
        return text
    raise argparse.ArgumentTypeError(f"expected dev, test or a positive number, not {text!r}")


def cmd_eval(args) -> int:
    from pathlib import Path

    from sleep_agent_evals import AGENT_STRATEGIES, STRATEGIES, TaskChoiceError, run_eval, select_tasks, write_report

    from .models import LocalRuntime

    allowed = STRATEGIES if args.mode == "scripted" else AGENT_STRATEGIES
    args.strategies = args.strategies or ",".join(allowed)
    bad = [s for s in args.strategies.split(",") if s not in allowed]
    if bad:
        print(f"sleep-agent: error: strategy {', '.join(bad)} has no {args.mode} mode: choose from "
              f"{', '.join(allowed)}", file=sys.stderr)
        return 2
    try:
        tasks_for_seed, budget = select_tasks(
            suite_name=args.suite, tasks_file=args.tasks, locomo=args.locomo or (), sessions=args.sessions,
            questions=args.questions, form=args.form, budget=args.budget,
            families=args.families.split(",") if args.families else ())  # a bad task file: TaskFileError
    except TaskChoiceError as e:
        print(f"sleep-agent: error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    rt = LocalRuntime.load(args.model, log=lambda m: print(m, file=sys.stderr))
    # Optional flags as given (their defaults left out), after the ones every run names.
    optional = {"mode": (args.mode, "scripted"), "tasks": (args.tasks, None), "locomo": (" ".join(args.locomo or ()), ""),
                "sessions": (args.sessions, None), "budget": (args.budget, None), "questions": (args.questions, "test"),
                "form": (args.form, "json"), "families": (args.families, None)}
    command = ("sleep-agent eval " + ("" if args.tasks or args.locomo else f"--suite {args.suite} ")
               + f"--model {args.model} --strategies {args.strategies} --passes {','.join(map(str, args.passes))} "
               f"--seeds {','.join(map(str, args.seeds))} --out {args.out}"
               + "".join(f" --{flag} {value}" for flag, (value, default) in optional.items() if value != default))
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "commands.txt", "a") as f:  # every command that wrote into this folder (seeds apart)
        f.write(command + "\n")
    rows = run_eval(rt, tasks_for_seed, strategies=args.strategies.split(","), passes=args.passes,
                    seeds=args.seeds, out=out, budget=budget, model=args.model, mode=args.mode,
                    log=lambda m: print(m, file=sys.stderr))
    commands = list(dict.fromkeys((out / "commands.txt").read_text().splitlines()))
    summary = write_report(rows, out, "`, `".join(commands))
    print(json.dumps(summary) if args.json else (out / "report.md").read_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .cli_memory import add_memory_parser
    from .models import DEFAULT_MODEL
    from .names import MEMORY_NAMES

    p = argparse.ArgumentParser(prog="sleep-agent", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def agent_flags(sp):
        sp.add_argument("--model", default=DEFAULT_MODEL, help="registry name, local folder or hub id")
        sp.add_argument("--memory", choices=MEMORY_NAMES, default=None, help="memory strategy (default sleep)")
        sp.add_argument("--budget", type=int, default=None, help="context budget in tokens")
        sp.add_argument("--passes", type=int, default=None, help="sleep duration N (passes over the sleep data)")
        sp.add_argument("--lr", type=float, default=None, help="LoRA learning rate of the sleep")
        sp.add_argument("--act-with-adapter", action="store_true",
                        help="the agent's own replies decode with the adapter on (default: the adapter is "
                             "read through the recollection block and recall; replies decode with the base)")
        sp.add_argument("--checkpoint", default=None, help="SQLite checkpoint file (default in $SLEEP_AGENT_HOME)")
        sp.add_argument("--json", action="store_true", help="print one JSON object at the end")

    d = sub.add_parser("demo", help="the main job: a long task with several sleeps, answer checked")
    agent_flags(d)
    d.add_argument("--seed", type=int, default=7, help="seed of the made-up archive")
    d.add_argument("--out", default=None, help="folder to add this run to (demo-runs.jsonl, demo.md: every seed)")
    d.add_argument("--records", type=int, default=DEMO_RECORDS, help="records to read (1..12); more records, more sleeps")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("run", help="run the agent on a task (workspace files, calculator, notes)")
    r.add_argument("task", nargs="?", help="the task; omit it with --thread to resume a saved run")
    agent_flags(r)
    r.add_argument("--thread", default=None, help="thread id (resume or name a run)")
    r.add_argument("--workspace", default=None,
                   help="folder the file tools are confined to (default: $SLEEP_AGENT_HOME/workspaces/THREAD)")
    r.add_argument("--read-hidden", action="store_true",
                   help="let the file tools read hidden paths such as .git (they never write them)")
    r.set_defaults(func=cmd_run)

    i = sub.add_parser("inspect", help="a thread's sleeps and adapter versions")
    i.add_argument("thread")
    i.add_argument("--checkpoint", default=None)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_inspect)

    add_memory_parser(sub, DEFAULT_MODEL)

    m = sub.add_parser("models", help="list the offline models (installed, verified, converted, size)")
    m.add_argument("action", nargs="?", choices=["list", "prepare"], default="list")
    m.add_argument("name", nargs="?", help="model to prepare (default: every installed one)")
    m.add_argument("--json", action="store_true", help="print the list as JSON")
    m.set_defaults(func=cmd_models)

    b = sub.add_parser("bench", help="benchmarks: retention (does a sleep remember?), perf (what it costs)")
    b.add_argument("which", choices=["retention", "perf"])
    b.add_argument("--model", default=DEFAULT_MODEL, help="registry name, local folder or hub id")
    b.add_argument("--passes", type=_ints(1), default=None,
                   help="sleep durations N, e.g. 1,2,4,8 (default: 1,2,4,8 for retention, 1 for perf)")
    b.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    b.add_argument("--random-init", action="store_true",
                   help="perf: a randomly initialised model of the same shape (needs only config + tokenizer)")
    b.add_argument("--batch-sizes", type=_ints(1), default=None,
                   help="perf: also time sleep training at these examples-per-step against the raw loop")
    b.add_argument("--max-full-tokens", type=int, default=None,
                   help="perf: largest context the full memory is timed at (default 8000 on a CPU)")
    b.add_argument("--seed", type=int, default=0, help="seed of the made-up world")
    b.add_argument("--limit", type=int, default=None, help="at most this many questions per kind (quick runs)")
    b.add_argument("--form", choices=("json", "nested", "prose"), default="json",  # benchmarks.world.FORMS
                   help="retention: how the world's tool results are delivered - JSON records, records nested "
                        "in pages, or plain text (default json); results go to retention-MODEL-FORM")
    b.add_argument("--distill", type=float, default=None,
                   help="retention: context-distillation weight of the sleeps, 0..1 (default: the agent's, 0); "
                        "results go to retention-MODEL-distillW")
    b.add_argument("--out", default=None, help="folder to write retention-MODEL / perf-DEVICE-MODEL .json and .md into")
    b.add_argument("--parts", default=None, help="only these sections (retention: floor,ceiling,by_passes,"
                   "after_sleeps,vector; perf: sleep,raw,wake,steps); with --out, merged into the existing results")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.set_defaults(func=cmd_bench)

    e = sub.add_parser("eval", help="long-horizon eval: memories x sleep duration x seeds, table and plots")
    e.add_argument("--suite", choices=["smoke", "small", "full", "recall"], default="smoke",
                   help="task sizes (evals/families.py SUITES); recall: first-window facts after 2, 4, 8 sleeps")
    e.add_argument("--families", default=None, help="suites: only these task families, comma-separated "
                   "(multihop,state,updates,recall): split a suite into runs under an hour; one report per --out")
    e.add_argument("--tasks", default=None, help="your own tasks (JSON Lines; format in evals/tasks.py)")
    e.add_argument("--model", default=DEFAULT_MODEL)
    e.add_argument("--mode", choices=["scripted", "agent"], default="scripted",
                   help="scripted: replay the task's tool calls (memory alone); agent: the model drives the tools")
    e.add_argument("--strategies", default=None,
                   help="default: sleep,vector,vector+notes,summary,window,full,floor (agent mode: no vector+notes)")
    e.add_argument("--passes", type=_ints(1), default=[1, 2, 4, 8], help="sleep durations N")
    e.add_argument("--seeds", type=_ints(0), default=[0],
                   help="one command per seed into the same --out is fine: the report covers every seed there")
    e.add_argument("--questions", type=_questions, default="test",
                   help="suites: which half of the natural questions to ask (dev while building, test for what "
                        "is reported); --locomo: the first N questions (of those whose evidence was read)")
    e.add_argument("--locomo", nargs="+", default=None, metavar="FILE",
                   help="LoCoMo conversation files (e.g. ../shared/benchmarks/locomo/conv-30.json; CC BY-NC: "
                        "read in place, never copied): each becomes a read-through task with its questions")
    e.add_argument("--sessions", type=int, default=None,
                   help="--locomo: keep the first K sessions and the questions whose evidence lies in them")
    e.add_argument("--form", choices=("json", "nested", "prose"), default="json",  # sleep_agent_evals.forms.FORMS
                   help="how the suite's tool results are delivered: JSON records, records nested in pages, "
                        "or plain text (default json)")
    e.add_argument("--budget", type=int, default=None,
                   help="context budget in tokens for every task (default: the suite's; "
                        "a task may carry its own, which this flag replaces)")
    e.add_argument("--out", default="eval-out", help="results.jsonl, report.md and plots go here")
    e.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    e.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from . import InvalidThreadIdError, SettingsError
    from .adapters import AdapterIntegrityError, SleepInProgressError
    from .cli_memory import UnknownThreadError
    from .memory_admin import ForgetError
    from .memory import ContextOverflowError
    from .models import ModelIntegrityError, ModelNotInstalledError, UnknownModelError

    try:
        from sleep_agent_evals import TaskFileError
    except ImportError:  # the evals package is not installed (library-only install)
        TaskFileError = SettingsError  # noqa: N806
    try:
        return args.func(args)
    except (ModelIntegrityError, ModelNotInstalledError, UnknownModelError, SettingsError,
            InvalidThreadIdError, ContextOverflowError, TaskFileError, AdapterIntegrityError, SleepInProgressError,
            ForgetError, UnknownThreadError, FileNotFoundError) as e:
        print(f"sleep-agent: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
