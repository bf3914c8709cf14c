"""What the agent is told after waking: it slept, its memory is in its weights, what it did."""

from __future__ import annotations

from collections import Counter

__all__ = ["MAX_LISTED_CALLS", "wake_note"]

# Distinct consolidated calls listed in the wake note, the most recent ones (the count covers all).
# The note sits in every later prompt: listing all of a long run's calls filled a small window and
# made the agent sleep again after a turn or two; the last few say where to go on. At the demo's
# budget (600 tokens) the old, longer note (86 tokens for 3 calls) and 8 listed calls left no room for
# a turn after waking, so the agent slept after every record.
MAX_LISTED_CALLS = 4


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
    caveat = (" The last sleep could not store the newest of them yet (the next sleep tries again): they may be "
              "missing." if rejected else "")
    return (
        f"[Memory] You have slept {sleeps} time(s). Your tool calls so far ({len(calls)}): {done}. "
        f"Their results are in your memory ({where}), no longer shown.{caveat} Continue the task."
        + (" To see an earlier result, call recall with a question." if recall else "")
    )
