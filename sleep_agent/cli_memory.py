"""``sleep-agent memory list|rollback|forget THREAD``: see and edit what a thread remembers.

    sleep-agent memory list THREAD [--probe] [--json]          facts, their sleep, source and recall
    sleep-agent memory rollback THREAD VERSION [--json]        make an earlier version live
    sleep-agent memory forget THREAD "TEXT" [--yes] [--purge]  rebuild the adapter without TEXT

The Python API is :mod:`sleep_agent.memory_admin`; this module only parses, asks and prints.
"""

from __future__ import annotations

import json
import sys

__all__ = ["UnknownThreadError", "add_memory_parser"]


class UnknownThreadError(LookupError):
    """The thread named on the command line has no published adapter version."""


def _thread(name: str):
    from .adapters import Thread

    thread = Thread(name)
    if not thread.store.versions():
        raise UnknownThreadError(f"thread {name!r} has no adapter versions (no sleep was published; "
                          f"looked in {thread.store.path})")
    return thread


def _runtime(model: str):
    from .models import LocalRuntime

    return LocalRuntime.load(model, log=lambda m: print(m, file=sys.stderr))


def _mark(flag) -> str:
    return {True: "yes", False: "no", None: "-"}[flag]


def _print_facts(facts, events) -> None:
    live = [f for f in facts if f.live]
    print(f"{len(live)} facts live ({sum(f.replaced_by is None for f in live)} current), "
          f"{len(facts) - len(live)} in versions not live")
    for f in facts:
        state = "" if f.live else " [not live]"
        state += f" [replaced by v{f.replaced_by:04d}]" if f.replaced_by else ""
        answer = " ".join(f.answer.split())
        answer = answer if len(answer) <= 60 else answer[:57] + "..."
        print(f"  v{f.version:04d} {f.subject} | {f.relation} | {answer}{state}")
        print(f"        from {f.source or '?'}; recalled at validation: {_mark(f.recall_at_validation)}"
              + (f"; now: adapter alone {_mark(f.probe_adapter)}, gated {_mark(f.probe_gated)}"
                 if f.probe_adapter is not None else ""))
    for e in events:
        print(f"  event {e['time']} {e['event']}: " + ", ".join(f"{k}={v}" for k, v in e.items()
                                                               if k not in ("time", "event")))


def cmd_list(args) -> int:
    from .memory_admin import known_facts, probe

    thread = _thread(args.thread)
    facts = known_facts(thread)
    if args.probe:
        probe(_runtime(args.model), thread, facts)
    events = thread.store.event_log()
    if args.json:
        live = thread.store.latest()
        print(json.dumps({"thread": thread.id, "live_version": live.version if live else None,
                          "facts": [f.to_dict() for f in facts], "events": events}, indent=2))
    else:
        _print_facts(facts, events)
    return 0


def cmd_rollback(args) -> int:
    from .memory_admin import rollback

    done = rollback(_thread(args.thread), args.version)
    print(json.dumps(done) if args.json else
          f"thread {done['thread']}: v{done['to']:04d} is live (was "
          f"{'v%04d' % done['from'] if done['from'] else 'the base model'}); {done['facts_live']} facts live")
    return 0


def cmd_forget(args) -> int:
    from .graph import sqlite_checkpointer
    from .memory_admin import forget, plan_forget

    thread = _thread(args.thread)
    plan = plan_forget(thread, args.text)
    print(f"forgetting {args.text!r} in thread {thread.id}: {len(plan.facts)} facts, {plan.examples} of "
          f"{plan.examples + plan.kept_examples} sleep examples; versions holding it: "
          f"{', '.join(f'v{v:04d}' for v in plan.versions) or 'none'} (deleted after the rebuild)", file=sys.stderr)
    for f in plan.facts:
        print(f"  v{f.version:04d} {f.subject} | {f.relation} | {' '.join(f.answer.split())[:60]}", file=sys.stderr)
    if not args.yes:
        if not sys.stdin.isatty():
            print("sleep-agent: error: not confirmed: pass --yes to forget without asking", file=sys.stderr)
            return 2
        if input("rebuild the adapter without it? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing changed", file=sys.stderr)
            return 1
    from .console import SleepBar

    bar = SleepBar(sys.stderr)
    report = forget(_runtime(args.model), thread, args.text, purge=args.purge,
                    checkpointer=sqlite_checkpointer(args.checkpoint), progress=bar.update)
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"v{report.version:04d} is live: rebuilt without {report.facts_forgotten} facts and "
              f"{report.examples_removed} examples in {report.seconds['total']:.0f} s; deleted versions: "
              f"{', '.join(f'v{v:04d}' for v in report.deleted_versions) or 'none'}; vector documents removed: "
              f"{report.vector_documents_removed}; trajectory files redacted: {report.trajectory_files_redacted}")
    return 0


def add_memory_parser(sub, default_model: str) -> None:
    """Add ``memory list|rollback|forget`` to the ``sleep-agent`` subparsers ``sub``."""
    m = sub.add_parser("memory", help="see and edit what a thread remembers: list, rollback, forget")
    ops = m.add_subparsers(dest="op", required=True)
    ls = ops.add_parser("list", help="every fact the thread's sleeps consolidated, with source and recall")
    ls.add_argument("thread")
    ls.add_argument("--probe", action="store_true", help="ask each live fact again now (loads the model)")
    ls.add_argument("--model", default=default_model, help="the base model the thread slept with")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    rb = ops.add_parser("rollback", help="make an earlier published version live")
    rb.add_argument("thread")
    rb.add_argument("version", type=int)
    rb.add_argument("--json", action="store_true")
    rb.set_defaults(func=cmd_rollback)
    fg = ops.add_parser("forget", help="rebuild the adapter from the base model without TEXT")
    fg.add_argument("thread")
    fg.add_argument("text", help="a name, value or phrase (whole words, case ignored)")
    fg.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    fg.add_argument("--purge", action="store_true",
                    help="also redact the trajectory files and the checkpoint's turns (older checkpoints dropped)")
    fg.add_argument("--model", default=default_model, help="the base model the thread slept with")
    fg.add_argument("--checkpoint", default=None, help="SQLite checkpoint file (default in $SLEEP_AGENT_HOME)")
    fg.add_argument("--json", action="store_true")
    fg.set_defaults(func=cmd_forget)
