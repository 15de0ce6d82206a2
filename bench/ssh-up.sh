#!/usr/bin/env bash
# up -d / down of 16 services with the linux daemon behind ssh:// (a private sshd on loopback) vs the
# unix socket. Needs root (sshd), the rig and a build (npm run build). BENCH_RUNS=N (default 5).
# Writes bench/results/ssh-up.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec npx vite-node bench/ssh-up.ts "$@"
