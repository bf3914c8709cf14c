"""Which tasks an eval runs: a suite, a user's task file, or LoCoMo conversations, and their budget.

A suite can be cut to some of its families (``families``): one seed of the ``small`` suite for every
memory is over an hour on 2 CPU cores, and a run split by family stays inside it without changing
what each task measures.

Example::

    >>> tasks_for_seed, budget = select_tasks(suite_name="small", families=["state"])
    >>> [t.family for t in tasks_for_seed(0)], budget
    (['state'], 768)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .families import FAMILIES, SUITES, suite
from .locomo import LOCOMO_BUDGET, load_locomo
from .tasks import EvalTask, load_tasks

__all__ = ["TaskChoiceError", "select_tasks"]


class TaskChoiceError(ValueError):
    """Flags that do not go together (the message names them)."""


def _without_budget(task: EvalTask) -> EvalTask:
    task.meta.pop("budget", None)
    return task


def select_tasks(*, suite_name: str = "small", tasks_file: str | None = None, locomo: Sequence[str] = (),
                 sessions: int | None = None, questions: str = "test", form: str = "json",
                 budget: int | None = None, families: Sequence[str] = ()) -> tuple[Callable[[int], list[EvalTask]], int]:
    """``(tasks_for_seed, budget)``. ``questions``: ``dev``/``test`` (a suite's half of the natural
    questions) or a count (LoCoMo's first N). ``budget`` replaces every task's own budget; without it
    the suite's, or :data:`~.locomo.LOCOMO_BUDGET`. ``families``: only the suite's tasks of these
    families (empty: all). A bad combination raises :class:`TaskChoiceError`; a bad file raises
    :class:`~.tasks.TaskFileError` naming the line or field."""
    count = questions not in ("dev", "test")
    if families and (locomo or tasks_file):
        raise TaskChoiceError("--families picks families of a suite; --tasks and --locomo run every task given")
    if unknown := [f for f in families if f not in FAMILIES]:
        raise TaskChoiceError(f"unknown famil{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}: "
                              f"choose from {', '.join(FAMILIES)}")
    if locomo:
        tasks = [load_locomo(f, sessions=sessions, questions=int(questions) if count else None) for f in locomo]
        given, default = (lambda seed: tasks), LOCOMO_BUDGET
    elif count:
        raise TaskChoiceError("--questions N (a count) is for --locomo; the suites take dev or test")
    elif tasks_file:
        tasks = load_tasks(tasks_file)
        given, default = (lambda seed: tasks), SUITES[suite_name][1]
    else:
        given, default = (lambda seed: [t for t in suite(suite_name, seed, split=questions, form=form)
                                        if not families or t.family in families]), SUITES[suite_name][1]
    if budget:  # the flag wins over a task's own budget too
        return (lambda seed: [_without_budget(t) for t in given(seed)]), budget
    return given, default
