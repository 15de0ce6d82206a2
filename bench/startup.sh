#!/usr/bin/env bash
# Start-up figures: mixcompose --version, --help and config -q against bare node and docker-compose
# config -q. Needs a build (npm run build), not the rig. BENCH_STARTUP_RUNS=N (default 20).
# Writes bench/results/startup.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bench/startup.mjs "$@"
