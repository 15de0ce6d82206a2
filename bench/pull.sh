#!/usr/bin/env bash
# up of a stack whose images must all be pulled from the rig's registry: parallel-pull floor vs
# docker-compose (serial per daemon) vs mixcompose. Needs the rig (sudo bash scripts/rig.sh up) and a
# build (npm run build) for mixcompose. BENCH_RUNS=N (default 5). Writes bench/results/pull.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bench/pull.mjs "$@"
