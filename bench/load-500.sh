#!/usr/bin/env bash
# Loader benchmark: generate a 500-service stack file, time loadProject on it (first load in a fresh
# process, then the median of warm loads), and, when
# installed, docker-compose 1.29.2 `config` on the same file as the peer. Prints the figures.
# Needs no daemon. BENCH_RUNS=N (default 10) warm loads; NO_PEER=1 skips docker-compose.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="$(mktemp -d -p "$PWD/bench" .load-500-build.XXXXXX)"
trap 'rm -rf "$build"' EXIT
# Compile only the loader (and what it imports), so the benchmark does not depend on the rest of the tree.
npx tsc src/config/load-project.ts --outDir "$build" --rootDir src --module nodenext --moduleResolution nodenext \
  --target es2022 --skipLibCheck --resolveJsonModule --strict false
echo '{"type":"module"}' > "$build/package.json"
node bench/load-500.mjs "$build"
