#!/usr/bin/env bash
# Prepares a fresh Debian machine (12 "bookworm" or later) for mixcompose's tests, demo and benchmarks:
#   1. Debian packages the test rig uses (installed only when missing),
#   2. npm ci (skipped when node_modules already matches package-lock.json) and npm run build,
#   3. the test rig: two private dockerd + a loopback registry (scripts/rig.sh up; idempotent).
# Run it as root, or as a user with sudo. Needs Node >= 20.19 and npm on PATH.
# MIXCOMPOSE_SETUP_NO_RIG=1 skips step 3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(docker.io busybox-static docker-registry docker-compose dnsmasq-base iptables iproute2 curl ca-certificates
  openssh-server zsh fish)  # zsh, fish: the completion tests load the scripts; sshd for the ssh:// endpoint test, which runs a private instance on loopback

say() { echo "setup: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  say "error: run as root (or install sudo)"; exit 1
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  # Keep the packages' own services (the system dockerd, the registry on :5000) from starting during
  # install: the rig runs private instances and needs none of them. policy-rc.d is only ours if we
  # created it, and only for the duration of the install.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod +x "$policy"
    trap '"${SUDO[@]}" rm -f "$policy"' EXIT
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

command -v node >/dev/null || { say "error: node is not on PATH (Node >= 20.19 needed)"; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || say "warning: Node $(node --version) is older than package.json's engines (>= 20.19)"

# npm writes node_modules/.package-lock.json on install; newer than the lockfile means up to date.
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
   && [ node_modules/.package-lock.json -nt package.json ]; then
  say "node_modules up to date"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "npm run build"
npm run --silent build

if [ "${MIXCOMPOSE_SETUP_NO_RIG:-}" != 1 ]; then
  "${SUDO[@]}" bash scripts/rig.sh up
fi
say "done"
