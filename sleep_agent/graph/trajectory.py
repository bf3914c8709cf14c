"""Write-ahead log of the trajectory a sleep consolidates: written before the window is cleared.

``<thread_dir>/trajectory/sleep-0001.jsonl`` holds the task and the evicted messages of sleep 1, one
LangChain message dict a line, so a crash mid-sleep loses nothing and the sleep can be redone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from langchain_core.messages import BaseMessage, messages_from_dict, messages_to_dict

from ..io_utils import atomic_write_bytes

__all__ = ["write_trajectory", "read_trajectory"]


def write_trajectory(folder: Path, sleep_index: int, messages: Sequence[BaseMessage]) -> Path:
    """Write ``messages`` to ``<folder>/sleep-NNNN.jsonl`` atomically (the thread's trajectory folder)."""
    path = folder / f"sleep-{sleep_index:04d}.jsonl"
    lines = [json.dumps(d, ensure_ascii=False, default=str) for d in messages_to_dict(list(messages))]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())
    return path


def read_trajectory(path: Path) -> list[BaseMessage]:
    return messages_from_dict([json.loads(line) for line in Path(path).read_text().splitlines() if line])
