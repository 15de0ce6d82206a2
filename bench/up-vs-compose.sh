#!/usr/bin/env bash
# up of 20 services over the rig's two daemons: critical path vs docker-compose (serial per daemon) vs
# mixcompose. Needs the rig (sudo bash scripts/rig.sh up) and a build (npm run build) for mixcompose.
# BENCH_RUNS=N (default 5). Writes bench/results/up.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bench/up-vs-compose.mjs "$@"
