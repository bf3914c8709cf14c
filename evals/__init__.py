"""Long-horizon eval harness: memories side by side on procedural task families (scripted mode).

- :mod:`.tasks`: the task format (also read from users' JSON Lines files) and answer checks;
- :mod:`.families`: seeded generators (multi-hop, state tracking, fact updates, recall across sleeps);
- :mod:`.scripted`: replay one task through one memory, then ask its questions;
- :mod:`.runner`: the grid (memories x N x seeds), resumable JSON Lines results;
- :mod:`.report`: markdown table and PNG plots.
"""

from .families import FAMILIES, SUITES, suite
from .report import summarize, write_report
from .runner import read_results, run_eval
from .scripted import STRATEGIES, run_scripted
from .tasks import EvalQuestion, EvalTask, TaskFileError, check_answer, load_tasks

__all__ = [
    "FAMILIES",
    "STRATEGIES",
    "SUITES",
    "EvalQuestion",
    "EvalTask",
    "TaskFileError",
    "check_answer",
    "load_tasks",
    "read_results",
    "run_eval",
    "run_scripted",
    "suite",
    "summarize",
    "write_report",
]
