#!/usr/bin/env bash
# The mixed stack of examples/mixed-stack on the two local daemons of the test rig:
#   1. runs scripts/setup.sh if the build or the rig is missing (Debian packages, npm ci, build, rig up),
#   2. `mixcompose up -d` of examples/mixed-stack/compose.yaml: linux `db` on the linux daemon,
#      windows-declared `web` on the Windows stand-in daemon (--allow-os-mismatch),
#   3. shows `ps`, and `web` reaching `db` across the daemons by the injected address and by the
#      plain name `db` (web's log), and `db` reaching `web` by its name,
#   4. leaves the stack up (so you can look around); `bash scripts/demo.sh down` removes it.
# Run as root (the rig needs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f dist/cli/main.js ] || ! bash scripts/rig.sh status >/dev/null 2>&1 || ! [ -S /run/mixcompose-rig/linux.sock ] || ! [ -S /run/mixcompose-rig/windows.sock ]; then
  bash scripts/setup.sh
fi
bash scripts/rig.sh up >/dev/null
eval "$(bash scripts/rig.sh env)"

mc() { node dist/cli/main.js -f examples/mixed-stack/compose.yaml --progress plain "$@"; }

if [ "${1:-}" = down ]; then
  mc down
  exit 0
fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "mixcompose up -d (db on the linux daemon, web on the windows stand-in)"
mc up -d

say "mixcompose ps"
mc ps 2>/dev/null

say "web's log: reaching db across the daemons by address and by name"
for _ in $(seq 1 50); do
  out=$(mc logs web 2>/dev/null || true)
  case "$out" in *"by name:"*) break ;; esac
  sleep 0.2
done
echo "$out"

say "db (linux daemon) reaching web (windows daemon) by its name"
docker -H "$MIXCOMPOSE_LINUX_HOST" exec mixed-stack-db-1 wget -q -O - http://web:8081/index.html

say "left running; remove it with: bash scripts/demo.sh down"
