"""The model's tensor work runs on one thread, whoever calls (sleep_agent/models/compute_thread.py):
the same thread for every caller, results and exceptions handed back, a job that submits another
does not wait on itself. Pure threading, no model; the runtime's own use is covered by every test
that decodes or trains."""

from __future__ import annotations

import threading

import pytest

from sleep_agent.models.compute_thread import is_compute_thread, on_compute_thread, submit


def _where() -> threading.Thread:
    return threading.current_thread()


def test_every_caller_gets_the_same_thread_and_not_its_own():
    seen = {}
    callers = [threading.Thread(target=lambda k=k: seen.__setitem__(k, on_compute_thread(_where))) for k in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert len(set(seen.values()) | {on_compute_thread(_where)}) == 1
    assert on_compute_thread(_where) is not threading.current_thread()
    assert on_compute_thread(is_compute_thread) and not is_compute_thread()


def test_results_and_exceptions_come_back():
    assert on_compute_thread(sum, [1, 2, 3]) == 6
    assert on_compute_thread(dict, a=1) == {"a": 1}
    with pytest.raises(ZeroDivisionError):
        on_compute_thread(lambda: 1 / 0)
    assert on_compute_thread(lambda: "still serving") == "still serving"


def test_a_job_that_submits_another_runs_it_inline():
    def outer():
        inner = submit(_where)
        assert inner.done()  # run at once: queued, it would wait for this job forever
        return inner.result() is threading.current_thread()

    assert on_compute_thread(outer)


def test_the_decorator_runs_every_call_there():
    from sleep_agent.models.compute_thread import runs_on_compute_thread

    @runs_on_compute_thread
    def where(tag: str) -> tuple[str, bool]:
        return tag, is_compute_thread()

    assert where("x") == ("x", True) and where.__name__ == "where"


def test_a_forked_child_gets_a_compute_thread_of_its_own():
    import os

    parent = on_compute_thread(_where)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread was not copied; a job must still run
        try:
            child = on_compute_thread(_where)
            ok = child is not parent and child.is_alive() and on_compute_thread(sum, [2, 3]) == 5
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    import select

    os.close(write)
    ready, _, _ = select.select([read], [], [], 60)  # a child stuck on the copied thread would never answer
    assert ready and os.read(read, 1) == b"1"
    os.close(read)
    os.waitpid(pid, 0)
    assert on_compute_thread(_where) is parent  # the parent's is untouched
