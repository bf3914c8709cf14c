"""LangGraph Studio: a real ``langgraph dev`` server runs the sleep agent through the official SDK.

The server is started on a free loopback port (never 2024), a thread is created with
``langgraph-sdk``, the demo's task (at the demo's budget) runs to its end, and the thread state must
show a sleep, an adapter version with its files on disk, and the recollection block the woken agent
was given about record 1's person.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sleep_agent.cli import DEMO_BUDGET
from sleep_agent_tools import RecordArchive

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 2024:
            return port


@pytest.fixture
def dev_server(tmp_path):
    from sleep_agent.models import ensure_converted, get_spec

    models = ensure_converted(get_spec("qwen2.5-coder-0.5b"), log=lambda *_: None).parent
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(models)  # reuse the converted weights; thread data goes to tmp
    port = _free_port()
    env = {**os.environ, "SLEEP_AGENT_HOME": str(home), "SLEEP_AGENT_WORKSPACE": str(tmp_path / "ws"),
           "HF_HUB_OFFLINE": "1", "LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1"}
    langgraph = shutil.which("langgraph", path=str(Path(sys.executable).parent)) or "langgraph"
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
                             "--port", str(port), "--config", str(ROOT / "langgraph.json")],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"langgraph dev exited: {(tmp_path / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            raise RuntimeError("langgraph dev did not answer /ok within 120 s")
        yield url, home, tmp_path / "server.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_studio_run_sleeps_and_records_an_adapter_version(dev_server):
    from langgraph_sdk import get_sync_client

    url, home, log = dev_server
    client = get_sync_client(url=url)
    assistants = {a["graph_id"] for a in client.assistants.search()}
    assert {"sleep_agent", "sleep_demo", "window_agent", "vector_agent", "summary_agent", "memory_admin"} <= assistants
    thread = client.threads.create()
    first = RecordArchive(seed=7, size=10).people[0].name  # graphs/common.py's archive
    task = ("The archive holds 10 records. Call next_record again and again, one call per reply, until it "
            f"says there are no more records. Do not stop early. Then answer: in which city does {first} live?")
    client.runs.wait(thread["thread_id"], "sleep_demo", input={"messages": [{"role": "user", "content": task}]},
                     context={"context_budget": DEMO_BUDGET, "keep_last_turns": 1, "max_steps": 6})
    values = client.threads.get_state(thread["thread_id"])["values"]
    assert "Traceback" not in log.read_text()[-5000:] or values.get("sleeps"), log.read_text()[-5000:]
    assert len(values.get("sleeps", [])) >= 1, f"no sleep happened: {values.get('steps')} steps"
    assert values["adapter_version"] >= 1
    adapter = home / "threads" / thread["thread_id"] / "adapters" / f"v{values['adapter_version']:04d}"
    assert (adapter / "adapter_model.safetensors").is_file() and (adapter / "manifest.json").is_file()
    # The window was cleared: the task is still first, the evicted record turns are gone.
    assert values["messages"][0]["content"] == task
    assert values["evicted_messages"] >= 2
    # After the sleep the agent was reminded of record 1's person from its adapter: the recollection
    # block (kept in the state) was made by the live version for the name in the task, and held lines.
    rec = values.get("recollection") or {}
    assert rec.get("version") == values["adapter_version"] and rec.get("entities") == [first], rec
    assert rec.get("lines"), f"the recollection block was empty: {rec}"

    # What the thread knows, from Studio: the memory_admin graph lists record 1's person's facts with
    # the sleep that learned them, and a forget without "confirm" returns the plan and changes nothing.
    admin = client.threads.create()
    listed = client.runs.wait(admin["thread_id"], "memory_admin", input={"thread": thread["thread_id"], "op": "list"})
    facts = listed["result"]["facts"]
    person = RecordArchive(seed=7, size=10).people[0]
    assert any(f["subject"] == first and f["answer"] == person.city and f["version"] >= 1 for f in facts), facts
    planned = client.runs.wait(admin["thread_id"], "memory_admin",
                               input={"thread": thread["thread_id"], "op": "forget", "text": first})
    assert planned["result"]["confirmed"] is False and planned["result"]["plan"]["facts"]
    assert (home / "threads" / thread["thread_id"] / "adapters" / f"v{values['adapter_version']:04d}").is_dir()
    rolled = client.runs.wait(admin["thread_id"], "memory_admin",
                              input={"thread": thread["thread_id"], "op": "rollback", "version": values["adapter_version"]})
    assert rolled["result"]["to"] == values["adapter_version"] and rolled["result"]["facts_live"] >= 1
