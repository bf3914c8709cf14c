"""What the agent is told after waking: it slept, its memory is in its weights, what it did."""

from __future__ import annotations

from collections import Counter

__all__ = ["MAX_LISTED_CALLS", "wake_note"]

# Distinct consolidated calls listed in the wake note, the most recent ones (the count covers all).
# The note sits in every later prompt: listing all of a long run's calls filled a small window and
# made the agent sleep again after a turn or two; the last few say where to go on.
MAX_LISTED_CALLS = 8


def wake_note(sleeps: int, version: int | None, calls: list[str], rejected: list[str] | None = None, *,
              recall: bool = False) -> str:
    """The note shown in the system prompt after a sleep.

    ``rejected``: the last sleep failed validation and was not kept, so the agent is told that the
    newest results are not in its memory (rather than trusting a memory it does not have).
    ``recall``: the agent has the ``recall`` tool, and is told to use it for earlier results.
    """
    counts = Counter(calls)
    listed = [f"{c} x{n}" if n > 1 else c for c, n in list(counts.items())[-MAX_LISTED_CALLS:]]
    done = "; ".join(listed) if listed else "none"
    if len(counts) > len(listed):
        done = f"the last {len(listed)}: {done}"
    where = f"adapter v{version}" if version else "no adapter yet"
    caveat = (" The last sleep could not store its results reliably, so the most recent of them may be "
              "missing from your memory." if rejected else "")
    return (
        f"[Memory] You have slept {sleeps} time(s) to free your context window. The results of your "
        f"earlier tool calls are no longer shown: they are stored in your memory ({where}), "
        f"so answer questions about them from memory.{caveat} Tool calls done so far ({len(calls)}): "
        f"{done}. Continue the task from where you left off."
        + (" When you need an earlier result, call recall with a question about it." if recall else "")
    )
