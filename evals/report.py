"""The eval report: a markdown summary and three PNG plots from ``results.jsonl`` rows.

- ``accuracy_vs_passes.png``: sleep accuracy against sleep duration N, one line per question depth
  (the paper's figure), with the other memories as flat reference lines;
- ``accuracy_by_family.png``: accuracy per memory per task family;
- ``cost_per_step.png``: tokens in the window against trajectory length, per memory;
- ``recall_vs_sleeps.png``: first-window accuracy right after the window's k-th overflow (the k-th
  sleep, for sleep), per memory - from the questions asked at checkpoints (scripted mode).

Checkpoint rows (``after_overflows`` set) count only there, not in the main table. Questions about
names never seen (``check="decline"``) count only in ``unknown declined``, not in ``overall``. With
several seeds, ``overall`` is the mean over seeds and ``overall_range`` the lowest and highest seed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

__all__ = ["summarize", "recall_by_overflows", "write_report", "label", "order"]


def label(row: dict) -> str:
    name = f"sleep N={row['passes']}" if row["strategy"] == "sleep" else row["strategy"]
    return name + (" [agent]" if row.get("mode") == "agent" else "")


def _mean(xs) -> float:
    xs = list(xs)
    return round(sum(xs) / len(xs), 3) if xs else float("nan")


def _is_fact(row: dict) -> bool:
    return row.get("check", "contains") != "decline"


def summarize(rows: list[dict]) -> dict:
    """{label: {"overall", "overall_range", "template", "natural", "unknown_declined", "tool_calls",
    "hit_budget", "by_family": {...}, "by_depth": {...}, "tokens", "sleep_seconds", "runs"}}."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r.get("after_overflows") is None:
            groups[label(r)].append(r)
    out = {}
    for name, everything in groups.items():
        rs = [r for r in everything if _is_fact(r)]
        fam, depth, seeds = defaultdict(list), defaultdict(list), defaultdict(list)
        for r in rs:
            fam[r["family"]].append(r["correct"])
            seeds[r.get("seed", 0)].append(r["correct"])
            if r["family"] == "multihop":
                depth[r["depth"]].append(r["correct"])
        runs = {r["run"]: r for r in everything}
        per_seed = [_mean(v) for v in seeds.values()]
        out[name] = {"overall": _mean(per_seed) if len(per_seed) > 1 else _mean(r["correct"] for r in rs),
                     "overall_range": [min(per_seed), max(per_seed)] if per_seed else [],
                     "seeds": len(per_seed),
                     "template": _mean(r["correct"] for r in rs if r.get("style", "template") == "template"),
                     "natural": _mean(r["correct"] for r in rs if r.get("style") == "natural"),
                     "unknown_declined": _mean(r["correct"] for r in everything if not _is_fact(r)),
                     "tool_calls": _mean(bool(r.get("tool_call")) for r in everything),
                     "hit_budget": _mean(bool(r.get("hit_budget")) for r in everything),
                     "by_family": {f: _mean(v) for f, v in sorted(fam.items())},
                     "by_depth": {str(d): _mean(v) for d, v in sorted(depth.items())},
                     "tokens": round(_mean(r["tokens_in_context"] for r in rs), 1),
                     "sleep_seconds": round(_mean(r["sleep_seconds"] for r in runs.values()), 1),
                     # every sleep's verdict is on record: rows resting on refused sleeps say so
                     "sleeps_refused": sum(r.get("sleeps_refused", 0) for r in runs.values()),
                     "sleeps_total": sum(r.get("sleeps", 0) for r in runs.values()),
                     "peak_rss_mb": max(r.get("peak_rss_mb", 0) for r in rs),
                     "errors": sorted({r["error"] for r in rs if r.get("error")}),
                     "runs": len(runs)}
        cats = defaultdict(list)
        for r in everything:
            if r.get("category"):
                cats[r["category"]].append(r)
        if cats:  # a benchmark's own categories (LoCoMo): token F1 and the contains-check per category
            out[name]["by_category"] = {
                c: {"f1": _mean(r["f1"] for r in v if r.get("f1") is not None),
                    "contains": _mean(r["correct"] for r in v), "questions": len(v)}
                for c, v in sorted(cats.items())}
            out[name]["f1"] = _mean(r["f1"] for r in everything if r.get("f1") is not None)
        agent = [r["agent"] for r in rs if r.get("agent")]  # on the first row of each run
        if agent:  # agent mode: how much of the planned exploration the model really did
            out[name]["planned_calls_made"] = round(sum(a["planned_calls_made"] for a in agent)
                                                    / max(1, sum(a["calls_planned"] for a in agent)), 3)
            out[name]["tool_errors"] = sum(a["tool_errors"] for a in agent)
            out[name]["nudges"] = sum(a.get("nudges", 0) for a in agent)
    return out


_ROW_ORDER = ("floor", "window", "summary", "vector", "vector+notes", "full")  # after the sleep rows


def order(names):
    """Memory labels in table order: sleep rows by N, then the baselines, agent-mode rows last."""
    def key(n):
        base, agent = n.removesuffix(" [agent]"), n.endswith(" [agent]")
        if base.startswith("sleep N="):
            return (agent, 0, int(base.split("=")[1]))
        return (agent, 1, _ROW_ORDER.index(base) if base in _ROW_ORDER else len(_ROW_ORDER))
    return sorted(names, key=key)


def recall_by_overflows(rows: list[dict]) -> dict:
    """{label: {k: accuracy of the checkpoint questions asked right after overflow k}}, with
    ``"end"`` for the same questions at the end of the run."""
    asked = {(r["run"], r["question"]) for r in rows if r.get("after_overflows") is not None}
    acc: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if (r["run"], r["question"]) in asked:
            acc[label(r)][r.get("after_overflows") or "end"].append(r["correct"])
    by_overflow = lambda k: (k == "end", 0 if k == "end" else k)  # noqa: E731  overflows ascending, then the end
    return {name: {k: _mean(ks[k]) for k in sorted(ks, key=by_overflow)} for name, ks in acc.items()}


def recall_table(recall: dict) -> str:
    ks = sorted({k for v in recall.values() for k in v if k != "end"})
    head = ["memory", *[f"after overflow {k}" for k in ks], "at the end"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in order(recall):
        lines.append("| " + " | ".join(str(c) for c in [name, *[recall[name].get(k, "") for k in ks],
                                                          recall[name].get("end", "")]) + " |")
    return "\n".join(lines) + "\n"


def table(summary: dict) -> str:
    families = sorted({f for s in summary.values() for f in s["by_family"]})
    depths = sorted({d for s in summary.values() for d in s["by_depth"]}, key=int)
    agent = any("planned_calls_made" in s for s in summary.values())
    head = ["memory", "overall", "template", "natural", *families, *[f"multihop k={d}" for d in depths],
            "unknown declined", "tool-call replies", "replies at the budget", "tokens at answer",
            "sleep s / run", "refused sleeps", "runs", *(["planned calls made", "tool errors", "nudges"] if agent else [])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in order(summary):
        s = summary[name]
        overall = s["overall"]
        if s.get("seeds", 1) > 1:  # mean over seeds (lowest-highest seed)
            overall = f"{overall} ({s['overall_range'][0]}-{s['overall_range'][1]})"
        cells = [name, overall, s.get("template", ""), s.get("natural", ""),
                 *[s["by_family"].get(f, "") for f in families],
                 *[s["by_depth"].get(d, "") for d in depths], s.get("unknown_declined", ""),
                 s.get("tool_calls", ""), s.get("hit_budget", ""), s["tokens"], s["sleep_seconds"] or "",
                 f"{s['sleeps_refused']} of {s['sleeps_total']}" if s.get("sleeps_total") else "", s["runs"],
                 *([s.get(k, "") for k in ("planned_calls_made", "tool_errors", "nudges")] if agent else [])]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def category_table(summary: dict) -> str:
    """Token F1 (and, after the slash, the contains-check's share) per category and memory; for
    LoCoMo's adversarial questions F1 is undefined and the share is of replies that declined."""
    cats = sorted({c for s in summary.values() for c in s.get("by_category", {})})
    head = ["memory", "F1 (all answerable)", *cats]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in order(n for n in summary if summary[n].get("by_category")):
        s = summary[name]
        cells = [name, s.get("f1", "")]
        for c in cats:
            v = s["by_category"].get(c)
            cells.append("" if v is None else
                         f"{'-' if math.isnan(v['f1']) else v['f1']} / {v['contains']} (n={v['questions']})")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _plots(rows: list[dict], summary: dict, recall: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    # checkpoint answers: the recall plot only; never-seen names: the unknown column only
    final = [r for r in rows if r.get("after_overflows") is None and _is_fact(r)]
    sleep = [r for r in final if r["strategy"] == "sleep"]
    if sleep:
        fig, ax = plt.subplots(figsize=(6, 4))
        ns = sorted({r["passes"] for r in sleep})
        for d in sorted({r["depth"] for r in sleep if r["family"] == "multihop"}):
            ys = [_mean(r["correct"] for r in sleep if r["passes"] == n and r["family"] == "multihop"
                        and r["depth"] == d) for n in ns]
            ax.plot(ns, ys, marker="o", label=f"sleep, {d}-hop")
        ys = [_mean(r["correct"] for r in sleep if r["passes"] == n) for n in ns]
        seeds = sorted({r.get("seed", 0) for r in sleep})
        if len(seeds) > 1:  # the spread over seeds: lowest to highest seed's accuracy
            per = [[_mean(r["correct"] for r in sleep if r["passes"] == n and r.get("seed", 0) == s) for s in seeds]
                   for n in ns]
            ax.errorbar(ns, ys, yerr=[[y - min(p) for y, p in zip(ys, per)], [max(p) - y for y, p in zip(ys, per)]],
                        fmt="none", ecolor="black", capsize=3, alpha=0.6)
        ax.plot(ns, ys, marker="s", color="black", label=f"sleep, all questions ({len(seeds)} seeds)")
        for name, color in (("vector", "tab:purple"), ("vector+notes", "tab:pink"), ("full", "tab:gray"),
                            ("floor", "tab:olive")):
            if name in summary:
                ax.axhline(summary[name]["overall"], linestyle="--", alpha=0.7, color=color, label=f"{name} (all)")
        ax.set_xscale("log", base=2)
        ax.set_xticks(ns, [str(n) for n in ns])
        ax.set(xlabel="sleep duration N (passes)", ylabel="accuracy", ylim=(-0.02, 1.02),
               title="Accuracy vs sleep duration")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "accuracy_vs_passes.png", dpi=120)
        plt.close(fig)
        files.append("accuracy_vs_passes.png")

    names = order(summary)
    families = sorted({f for s in summary.values() for f in s["by_family"]})
    fig, ax = plt.subplots(figsize=(max(6, len(names) * 0.9), 4))
    width = 0.8 / max(1, len(families))
    for i, f in enumerate(families):
        ax.bar([x + i * width for x in range(len(names))],
               [summary[n]["by_family"].get(f, 0) for n in names], width, label=f)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=30, ha="right")
    ax.set(ylabel="accuracy", ylim=(0, 1.05), title="Accuracy per memory and task family")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "accuracy_by_family.png", dpi=120)
    plt.close(fig)
    files.append("accuracy_by_family.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    seen = set()
    for r in rows:
        if r.get("step_costs") and label(r) not in seen and r["family"] == "recall":
            seen.add(label(r))
            ax.plot([s["trajectory_tokens"] for s in r["step_costs"]], [s["window_tokens"] for s in r["step_costs"]],
                    label=label(r))
    ax.set(xlabel="trajectory tokens so far", ylabel="tokens in the window",
           title="Context cost per step (recall task)")
    if seen:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "cost_per_step.png", dpi=120)
    plt.close(fig)
    files.append("cost_per_step.png")

    if recall:
        fig, ax = plt.subplots(figsize=(6, 4))
        names = order(recall)
        ks = sorted({k for v in recall.values() for k in v if k != "end"})
        for i, name in enumerate(names):
            nudge = (i - len(names) / 2) * 0.008  # lines on the same values stay visible side by side
            ax.plot(ks, [recall[name].get(k, float("nan")) + nudge for k in ks], marker="o", label=name,
                    linestyle="-" if name.startswith("sleep") else "--", alpha=0.85)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set(xlabel="overflows so far (sleeps, for sleep)", ylabel="first-window accuracy",
               ylim=(-0.05, 1.05), title="Recall of the first window across sleeps")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "recall_vs_sleeps.png", dpi=120)
        plt.close(fig)
        files.append("recall_vs_sleeps.png")
    return files


def write_report(rows: list[dict], out: Path, command: str) -> dict:
    """Write ``report.md`` + plots into ``out``; return the summary (what ``--json`` prints)."""
    summary = summarize(rows)
    recall = recall_by_overflows(rows)
    files = _plots(rows, summary, recall, out)
    models = sorted({r["model"] for r in rows})
    md = [f"# Eval report\n\nCommand(s): `{command}`\n\nModel: {', '.join(models)}; "
          f"{len({r['run'] for r in rows})} runs, {len(rows)} answers.\n",
          "Overall: the task facts' questions (with several seeds: mean over seeds, lowest-highest seed); "
          "template / natural: the same facts asked in the eval template or as a person would ask; unknown "
          "declined: questions about ordinary names never seen, declined; tool-call replies (scored wrong) "
          "and replies cut by the answer budget: shares of all replies.\n",
          table(summary)]
    if any(s.get("by_category") for s in summary.values()):
        md.append("\nPer category: token F1 as the LoCoMo paper scores it / share passing the contains-check "
                  "(adversarial: share declined; F1 undefined):\n\n" + category_table(summary))
    if recall:
        md.append("\nFirst-window questions asked again right after the k-th overflow of the window "
                  "(sleeps, for sleep; stores, summaries or drops for the others):\n\n" + recall_table(recall))
    md.append("\n" + "\n".join(f"![{f}]({f})" for f in files) + "\n")
    errors = {n: s["errors"] for n, s in summary.items() if s["errors"]}
    if errors:
        md.append("\nErrors (runs whose answers count as wrong):\n\n" +
                  "\n".join(f"- {n}: {'; '.join(e)}" for n, e in errors.items()) + "\n")
    (out / "report.md").write_text("\n".join(md))
    return summary
