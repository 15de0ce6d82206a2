#!/usr/bin/env bash
# up, second up and down of 200 services over the rig's two daemons, with peak RSS, against the direct
# floor. Needs the rig and a build. BENCH_RUNS_200=N (default 3). Writes bench/results/stack-200.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bench/stack-200.mjs "$@"
