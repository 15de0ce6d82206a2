#!/usr/bin/env bash
# All benchmarks, one after the other (npm run bench). Needs the rig and a build:
#   sudo bash scripts/rig.sh up && npm run build && npm run bench
# BENCH_RUNS=N (default 5) sets the runs per tool. Results land in bench/results/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash bench/startup.sh
bash bench/up-vs-compose.sh
bash bench/stack-200.sh
bash bench/pull.sh
# ssh:// endpoint (a private sshd on loopback): needs openssh-server (scripts/setup.sh installs it).
if [ -x /usr/sbin/sshd ]; then bash bench/ssh-up.sh; fi
# The config engineer's loader benchmark, when present.
if [ -f bench/load-500.sh ]; then bash bench/load-500.sh; fi
