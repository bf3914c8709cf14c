"""One thread runs the model's tensor work in this process, whichever thread asks for it.

Why: on a CPU, torch parallelises each large op with OpenMP, and every thread that runs one gets an
OpenMP thread team of its own that lives as long as that thread. LangGraph runs each node on a pool
thread (the agent node and the sleep node often on different ones), and the model was loaded on the
main thread: two or three teams of 2 threads on 2 cores. With more OpenMP threads than cores, libgomp
stops spin-waiting between parallel regions (its "throttled" mode) and every one of the thousands of
small regions in a training step pays a futex wake-up. Measured on this project's 2 cores (bf16, the
default model, a sleep step of 2 x 46 tokens): 0.78 s on the thread that loaded the model, 1.04 s on
another thread (+34%), 0.74-0.77 s on another thread when no other thread had run torch; the demo's
sleeps trained at 86-87 tokens/s against ~115 in a plain script (docs/performance.md). Spinning
harder is worse (``OMP_WAIT_POLICY=ACTIVE``: 1.8 s a step on the other thread).

So the runtime hands its heavy calls (loading, decoding, adapter load and fold, each training step)
to a single long-lived daemon thread and waits for the result. Keep a job free of locks the caller
may hold (``LocalRuntime.lock`` is an RLock of the *calling* thread): the job runs on another thread
and would wait forever. The thread is process-wide on purpose: OpenMP teams are per thread, so one
thread per process is the point.

Example::

    >>> on_compute_thread(sum, [1, 2, 3])
    6
"""

from __future__ import annotations

import functools
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["THREAD_NAME", "is_compute_thread", "on_compute_thread", "runs_on_compute_thread", "submit"]

THREAD_NAME = "sleep-agent-compute"

_jobs: queue.SimpleQueue = queue.SimpleQueue()
_thread: threading.Thread | None = None
_starting = threading.Lock()


def is_compute_thread() -> bool:
    """Whether the caller is the compute thread."""
    return _thread is not None and threading.current_thread() is _thread


def submit(fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
    """Queue ``fn(*args, **kwargs)`` on the compute thread; its :class:`~concurrent.futures.Future`.
    Called from the compute thread itself, ``fn`` runs at once (queued, it would wait for the job
    that queued it)."""
    future: Future = Future()
    if is_compute_thread():
        _run(future, fn, args, kwargs)
        return future
    _start()
    _jobs.put((future, fn, args, kwargs))
    return future


def on_compute_thread(fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` run on the compute thread; its result, or its exception raised here."""
    return submit(fn, *args, **kwargs).result()


def runs_on_compute_thread(fn: Callable) -> Callable:
    """Decorator: every call of ``fn`` runs on the compute thread (for code that drives the model's
    tensors directly, such as a benchmark's plain loop)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return on_compute_thread(fn, *args, **kwargs)
    return wrapper


def _run(future: Future, fn: Callable, args: tuple, kwargs: dict) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as e:  # handed to the caller, whatever it is (SystemExit and KeyboardInterrupt too)
        future.set_exception(e)


def _loop() -> None:
    while True:
        _run(*_jobs.get())


def _start() -> None:
    global _thread
    with _starting:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name=THREAD_NAME, daemon=True)
            _thread.start()


def _forget_thread() -> None:
    """In a forked child: the parent's compute thread was not copied, so the next job starts a new one
    (with a fresh queue and lock: the parent's could have been in use at the fork)."""
    global _jobs, _thread, _starting
    _jobs, _thread, _starting = queue.SimpleQueue(), None, threading.Lock()


os.register_at_fork(after_in_child=_forget_thread)
