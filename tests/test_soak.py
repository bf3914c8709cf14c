"""Soak: 8 consecutive sleeps of one thread in one process on the default model, memory stays flat.

Each cycle consolidates a small new trajectory (one made-up person, 1 pass, no validation verdict)
into the thread's adapter, publishes it and activates it, as the sleep node does, then wakes with the
adapter folded into the weights, as the agent does. A sampler thread
reads the process RSS every 20 ms; the peak of each cycle is printed (the numbers go into the
closing note of issue #8). The first cycle allocates what every later one reuses (optimizer state,
peft layers), so the last cycle is compared with the second: within 15%.
"""

from __future__ import annotations

import threading
import time

import psutil
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from sleep_agent import AdapterStore
from sleep_agent import SleepConfig
from sleep_agent.consolidation import consolidate
from sleep_agent_tools import RecordArchive

CYCLES = 8


class PeakRSS:
    """Peak resident memory (MB) between start() and stop(), sampled by a background thread."""

    def __init__(self, every: float = 0.02):
        self.proc, self.every, self.peak = psutil.Process(), every, 0
        self._stop = threading.Event()

    def _loop(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)


def _trajectory(person, i: int):
    rec = {"name": person.name, "city": person.city, "job": person.job}
    call = {"name": "next_record", "args": {}, "id": f"soak{i}", "type": "tool_call"}
    text = f"Record {i + 1}: {person.name} lives in {person.city} and works as a {person.job}."
    return [HumanMessage("Read the archive records."), AIMessage("", tool_calls=[call]),
            ToolMessage(text, tool_call_id=call["id"], name="next_record", artifact=rec)]


@pytest.mark.slow
def test_eight_sleeps_in_one_process_do_not_grow_memory(qwen_runtime, tmp_path):
    people = RecordArchive(seed=5, size=CYCLES).people
    store = AdapterStore("soak", tmp_path)
    cfg = SleepConfig(passes=1, validate=False)
    peaks, seconds = [], []
    for i, person in enumerate(people):
        t0 = time.perf_counter()
        with PeakRSS() as rss:
            report = consolidate(qwen_runtime, store, _trajectory(person, i), config=cfg)
            # wake as the agent does (merge_adapter): fold the new version in, decode a little; the
            # next cycle's training unfolds it again
            qwen_runtime.activate_adapter(store.version_path(report.version), merged=True)
            qwen_runtime.generate(qwen_runtime.render([{"role": "user", "content": "Hi"}]), max_new_tokens=4)
        peaks.append(rss.mb)
        seconds.append(round(time.perf_counter() - t0, 1))
        assert report.version == i + 1 and qwen_runtime.adapter_path == str(store.version_path(i + 1))
        assert qwen_runtime.merged
    print(f"\nsoak: peak RSS per cycle (MB): {peaks}\nsoak: seconds per cycle: {seconds}")
    assert store.versions() == list(range(1, CYCLES + 1))
    growth = (peaks[-1] - peaks[1]) / peaks[1]
    assert growth <= 0.15, f"peak RSS grew {growth:.0%} from cycle 2 to cycle {CYCLES}: {peaks}"
