"""Long-horizon eval harness: memories side by side on procedural task families.

- :mod:`.tasks`: the task format (also read from users' JSON Lines files) and answer checks;
- :mod:`.families`: seeded generators (multi-hop, state tracking, fact updates, recall across sleeps);
- :mod:`.scripted`: replay one task through the graph's memory step, then ask its questions;
- :mod:`.toolworld`: a task's tools rebuilt from its trajectory (agent mode calls them; both render them);
- :mod:`.agent`: the model drives the task's tools itself in the real graph, then answers;
- :mod:`.answering`: how every memory is asked the questions (the same for both modes);
- :mod:`.result`: what one run returns;
- :mod:`.locomo`: LoCoMo conversations as read-through tasks with their questions by category;
- :mod:`.select`: which tasks an eval runs (suite, task file or LoCoMo) and their budget;
- :mod:`.runner`: the grid (memories x N x seeds), resumable JSON Lines results;
- :mod:`.report`: markdown table and PNG plots.
"""

from .agent import AGENT_STRATEGIES, run_agent
from .families import FAMILIES, SUITES, suite
from .report import summarize, write_report
from .runner import MODES, read_results, run_eval
from .scripted import STRATEGIES, replay, run_scripted
from .select import TaskChoiceError, select_tasks
from .tasks import EvalQuestion, EvalTask, TaskFileError, check_answer, load_tasks

__all__ = [
    "AGENT_STRATEGIES",
    "FAMILIES",
    "MODES",
    "STRATEGIES",
    "SUITES",
    "EvalQuestion",
    "EvalTask",
    "TaskChoiceError",
    "TaskFileError",
    "check_answer",
    "load_tasks",
    "read_results",
    "replay",
    "run_agent",
    "run_eval",
    "run_scripted",
    "select_tasks",
    "suite",
    "summarize",
    "write_report",
]
