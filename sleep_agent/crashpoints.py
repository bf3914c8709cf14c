"""Named crash points: a test can SIGKILL the process at one exact point of a sleep.

``crash_point("publish_before_head")`` kills the current process with SIGKILL when the environment
variable ``SLEEP_AGENT_CRASH_AT`` names that point, and does nothing otherwise. SIGKILL (not an
exception) because it is what a power cut or the OOM killer does: no ``finally``, no flush, no atexit.
tests/test_crash_safety.py lists the points and proves that a thread resumes after each of them.

The variable is read at every call (a dict lookup), not cached at import, so a process forked after
import can still arm a point.
"""

from __future__ import annotations

import os
import signal

__all__ = ["CRASH_ENV", "crash_point"]

CRASH_ENV = "SLEEP_AGENT_CRASH_AT"


def crash_point(name: str) -> None:
    """SIGKILL this process if ``$SLEEP_AGENT_CRASH_AT == name``."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
