#!/usr/bin/env bash
# The perf benchmark on a lent GPU machine (see docs/performance.md): a randomly initialised model of
# the default model's shape (weights over 64 MiB cannot travel), the Python packages the GPU image
# lacks carried as wheels in .whl/, config + tokenizer in .perfmodel/. Writes into $OUT.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import sleep_agent.cli as c, sys; sys.exit(c.main(sys.argv[1:]))" bench perf \
  --model .perfmodel/qwen2.5-coder-0.5b --random-init --passes "${PASSES:-1,4}" --batch-sizes "${BATCH_SIZES:-8,32,128}" \
  --out "$OUT" --json 2>&1 | tee "$OUT/log.txt"
