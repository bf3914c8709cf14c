#!/usr/bin/env bash
# Issue #22's LoCoMo headline, split so that each command fits an hour on 2 CPU cores: one command per
# conversation x seed x sleep duration N, and one per conversation x seed for the memories without a
# sleep. Every command appends to the same results.jsonl (runs already there are skipped), so the
# script can be stopped and run again to go on; the report covers whatever is there.
#
#   scripts/locomo_headline.sh [OUT]      (default OUT: /tmp/locomo-headline)
#
# OUT must stay outside the repository: results.jsonl holds LoCoMo's questions and replies, and the
# data is CC BY-NC (read in place from ../shared/benchmarks/locomo/). Copy only report.md and the
# plots into docs/locomo/. The default model on 2 cores: a sleep of a 2k-token page window costs
# ~7 minutes at N=1 (docs/retention-*-prose.md; training is most of it and grows with N), ~3 sleeps per
# conversation at --sessions 5: so N=1 and N=2 fit the hour, N=4 (~3 x 25 min) does not on 2 cores
# (one run cannot be split further; run it where there is a GPU, or report it as not run).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/locomo-headline}
DATA=${LOCOMO_DIR:-../shared/benchmarks/locomo}
export HF_HUB_OFFLINE=1
for seed in 0 1 2; do
  for conv in conv-30 conv-26; do
    for n in 1 2 4; do
      .venv/bin/sleep-agent eval --locomo "$DATA/$conv.json" --sessions 5 --strategies sleep --passes "$n" \
        --seeds "$seed" --budget 2048 --out "$OUT"
    done
    .venv/bin/sleep-agent eval --locomo "$DATA/$conv.json" --sessions 5 \
      --strategies vector,summary,window,floor,full --seeds "$seed" --budget 2048 --out "$OUT"
  done
done
