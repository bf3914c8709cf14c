"""Going back to an earlier adapter version: what ``sleep-agent memory rollback`` does.

The version is verified, made live atomically (``HEAD`` rewritten, as a publish does) and the move
recorded in the thread's event log. Nothing is deleted: the versions after it stay on disk, listed as
not live, and a later rollback can return to them. A sleep that was training meanwhile does not
publish over it (compare-and-swap on its parent version; its turns wait for the next sleep).

Example::

    >>> rollback(Thread("demo-1"), 1)
    {'thread': 'demo-1', 'from': 2, 'to': 1, 'facts_live': 17}
"""

from __future__ import annotations

from ..adapters import Thread
from .known import known_facts

__all__ = ["rollback"]


def rollback(thread: Thread, version: int) -> dict:
    """Make ``version`` of ``thread`` live; returns what changed. Raises ``FileNotFoundError`` for a
    version that does not exist and ``AdapterIntegrityError`` for one whose files do not verify."""
    before = thread.store.latest()
    target = thread.store.rollback(version)
    thread.forget_cache()
    return {"thread": thread.id, "from": before.version if before else None, "to": target.version,
            "facts_live": sum(f.live and f.replaced_by is None for f in known_facts(thread))}
