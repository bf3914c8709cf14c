"""A script using the Python API runs a thread, its process ends, and a new process resumes the
thread with its latest adapter (SQLite checkpoint + per-thread adapter store on disk)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from langchain_core.tools import StructuredTool

SCRIPT = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    from sleep_agent import LocalChatModel, build_agent, sqlite_checkpointer
    from sleep_agent_tools import RecordArchive

    data, phase = Path(sys.argv[1]), sys.argv[2]
    archive = RecordArchive(seed=3, size=10)
    llm = LocalChatModel()
    graph = build_agent(llm, [archive.tool()], data_dir=data, settings={
        "context_budget": 600, "keep_last_turns": 1, "sleep_passes": 1}).compile(
        checkpointer=sqlite_checkpointer(data / "checkpoints.sqlite"))
    config = {"configurable": {"thread_id": "resume-me"}}
    if phase == "first":
        task = ("The archive holds 10 records. Call next_record again and again, one call per reply, "
                "until it says there are no more records.")
        state = graph.invoke({"messages": [("user", task)]}, config, context={"max_steps": 8})
    else:
        before = graph.get_state(config).values
        question = f"In which city does {archive.people[0].name} live? Answer in one sentence."
        state = graph.invoke({"messages": [("user", question)]}, config,
                             context={"max_steps": before["steps"] + 1})
    print(json.dumps({"sleeps": len(state.get("sleeps", [])), "adapter_version": state.get("adapter_version"),
                      "active_adapter": llm.rt.adapter_path, "steps": state["steps"],
                      "first_message": state["messages"][0].content}))
''')


def _run(tmp_path, phase: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), phase], capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_thread_resumes_in_a_new_process_with_its_adapter(tmp_path):
    first = _run(tmp_path, "first")
    assert first["sleeps"] >= 1 and first["adapter_version"] >= 1
    second = _run(tmp_path, "second")  # a new process: nothing shared but the files
    assert second["sleeps"] == first["sleeps"], "the checkpoint was not resumed"
    assert second["steps"] == first["steps"] + 1
    assert second["first_message"].startswith("The archive holds 10 records")  # same thread, task pinned
    version = f"v{first['adapter_version']:04d}"
    assert second["active_adapter"] and second["active_adapter"].endswith(version), second


OLD = Path(__file__).parent / "fixtures" / "thread-before-restructuring"


def _write_old_adapter_weights(version: Path, tiny_model_dir: Path) -> None:
    """The fixture's v0001 without its weights file: weights are not kept in the repository. A LoRA of
    the fixture's own adapter_config.json on the conftest's tiny random model (the model it was
    trained on, freshly initialised: the values do not matter to the test, the format does), with
    the manifest's size and sha256 of it written as the old code wrote them."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from sleep_agent.io_utils import sha256_file

    config = json.loads((version / "adapter_config.json").read_text())
    known = set(LoraConfig.__dataclass_fields__)
    lora = LoraConfig(**{k: v for k, v in config.items() if k in known and k != "base_model_name_or_path"})
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), lora)
    out = version.parent / ".weights"
    model.save_pretrained(out)
    weights = version / "adapter_model.safetensors"
    shutil.move(out / "adapter_model.safetensors", weights)
    shutil.rmtree(out)
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["files"]["adapter_model.safetensors"] = {"bytes": weights.stat().st_size, "sha256": sha256_file(weights)}
    (version / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_a_thread_saved_before_the_restructuring_resumes(tiny_runtime, tiny_model_dir, tmp_path):
    """``tests/fixtures/thread-before-restructuring`` was written by commit 7abf1ef (before one sleep
    config, the Thread and the memory-owned sleep): a sleep-memory thread on the conftest's tiny
    *random* model that slept once (adapter v0001) and stopped at max_steps. Today's code resumes it:
    the checkpoint's state reads back, the adapter verifies and is the one decoding, and the next
    overflow sleeps on top of it (v0002's parent is v0001)."""
    from scripted_model import ScriptedChatModel

    from sleep_agent import build_agent, sqlite_checkpointer

    home = tmp_path / "home"
    shutil.copytree(OLD, home)
    _write_old_adapter_weights(home / "threads" / "old-thread" / "adapters" / "v0001", tiny_model_dir)

    def lookup(member: str) -> str:
        """Look up one guild member by id."""
        i = int(member.split("-")[1])
        return json.dumps({"member": member, "name": f"Member number {i}", "hall": f"Hall {chr(65 + i)}",
                           "motto": "steady hands " * 3})

    plan = [json.dumps({"name": "lookup", "arguments": {"member": f"M-{i:02d}"}}) for i in range(5, 12)]
    llm = ScriptedChatModel.from_runtime(tiny_runtime, script=lambda p, n: plan[n] if n < len(plan) else "Done.")
    graph = build_agent(llm, [StructuredTool.from_function(lookup)], memory="sleep", data_dir=home,
                        # validation off: the tiny random model answers no new fact back, and such a sleep is refused
                        settings={"context_budget": 700, "keep_last_turns": 1,
                                  "sleep": {"passes": 1, "validate": False}}).compile(
        checkpointer=sqlite_checkpointer(home / "checkpoints.sqlite"))
    config = {"configurable": {"thread_id": "old-thread"}, "recursion_limit": 500}
    before = graph.get_state(config).values
    assert before["steps"] == 5 and len(before["sleeps"]) == 1 and before["adapter_version"] == 1

    state = graph.invoke({"messages": [("user", "Go on: look up M-05 to M-11.")]}, config,
                         context={"max_steps": 12}, durability="sync")
    assert llm.calls[0]["adapter"].endswith("v0001")  # the old adapter verified and decoding
    assert state["messages"][0].content.startswith("Look up members M-00")  # same thread, task pinned
    assert state["steps"] > before["steps"]
    assert len(state["sleeps"]) >= 2 and state["sleeps"][-1]["version"] >= 2  # slept again, published
    manifest = json.loads((home / "threads" / "old-thread" / "adapters" / "v0002" / "manifest.json").read_text())
    assert manifest["parent"] == 1
