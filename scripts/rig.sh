#!/usr/bin/env bash
# The mixcompose test rig: two private dockerd on one Linux machine, routed to each other, plus a
# loopback registry. "linux" is a normal daemon; "windows" is a second Linux daemon standing in for a
# Windows one (mixcompose accepts it only with MIXCOMPOSE_ALLOW_OS_MISMATCH=1).
#
#   bash scripts/rig.sh up       start everything (idempotent: a second `up` changes nothing)
#   bash scripts/rig.sh down     stop everything, remove the rig's containers/networks/volumes, iptables
#                                rules, leftover mounts and netns (images and registry content are kept)
#   bash scripts/rig.sh down --purge   same, then delete /var/lib/mixcompose-rig entirely
#   bash scripts/rig.sh status   what runs; exit 0 only when the whole rig is up
#   bash scripts/rig.sh env      the `export MIXCOMPOSE_*=…` line for the CLI and the integration tests
#   bash scripts/rig.sh stop-daemon linux|windows    stop one dockerd, keeping its state (tests of a
#   bash scripts/rig.sh start-daemon linux|windows   daemon dying mid-way); start it again
#   bash scripts/rig.sh unroute | route   remove / restore the DOCKER-USER ACCEPTs between the pools
#                                         (doctor's test of a broken network path)
#
# Needs root and the Debian packages installed by scripts/setup.sh.
set -euo pipefail

RUN_DIR=/run/mixcompose-rig
STATE_DIR=/var/lib/mixcompose-rig
LOG_DIR=/var/log/mixcompose-rig
CACHE_DIR=$STATE_DIR/cache
# Pin the CLI: /usr/local/bin/docker (if any) may be another version; Debian's matches the daemon.
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
REGISTRY_BIN=/usr/bin/docker-registry
REGISTRY_ADDR=127.0.0.1:5555
BUSYBOX_IMAGE=mixcompose-test/busybox:latest
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The tag mixcompose builds by itself when missing (src/engine/helper-images.ts): mixcompose/resolver:<version>.
# The rig imports it ready-made (no registry on the internet here); tests of the build remove it first.
MIXCOMPOSE_VERSION=$(sed -nE 's/^  "version": "([^"]+)".*/\1/p' "$SCRIPT_DIR/../package.json")
RESOLVER_IMAGE=mixcompose/resolver:$MIXCOMPOSE_VERSION
# The resolver's rootfs, also in the test registry as a base that already has /usr/sbin/dnsmasq
# (x-mixcompose.resolver.base for tests that build the resolver image offline).
RESOLVER_BASE_REF=resolver-base:latest
DAEMONS=(linux windows)
READY_TIMEOUT_S=${MIXCOMPOSE_RIG_READY_TIMEOUT:-60}

pool_of() {
  case "$1" in
    linux) echo 10.201.0.0/16 ;;
    windows) echo 10.202.0.0/16 ;;
    *) echo "unknown daemon $1" >&2; return 1 ;;
  esac
}
sock_of() { echo "$RUN_DIR/$1.sock"; }
host_of() { echo "unix://$(sock_of "$1")"; }
pidfile_of() { echo "$RUN_DIR/$1.pid"; }
dk() { local name=$1; shift; "$DOCKER" -H "$(host_of "$name")" "$@"; }

log() { echo "rig: $*" >&2; }
die() { echo "rig: error: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "needs root (try: sudo bash scripts/rig.sh $1)"; }

# A zombie (exited, not yet reaped by init) answers kill -0 but is gone: look at its state too.
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$( { sed -E 's/^.*\) //' "/proc/$1/stat" | cut -d' ' -f1; } 2>/dev/null || true)
  [ "$state" != Z ] && [ -n "$state" ]
}
pid_gone() { ! pid_alive "${1:-}"; }
pid_from() { [ -s "$1" ] && cat "$1" || true; }

# Poll `cmd` until it succeeds or the deadline passes; `alive_pid` (optional) must stay alive.
wait_until() {
  local what=$1 timeout_s=$2 alive_pid=$3; shift 3
  local deadline=$(( $(date +%s) + timeout_s ))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$alive_pid" ] && ! pid_alive "$alive_pid"; then
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${timeout_s}s waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}

daemon_answers() { dk "$1" info --format '{{.ID}}' >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------- daemons

start_daemon() {
  local name=$1 pool pidfile pid
  pool=$(pool_of "$name")
  pidfile=$(pidfile_of "$name")
  pid=$(pid_from "$pidfile")
  if pid_alive "$pid" && daemon_answers "$name"; then
    log "$name: dockerd already running (pid $pid)"
    return 0
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$STATE_DIR/$name/data" "$STATE_DIR/$name/exec"
  # The trust key path has no command-line flag in 20.10, only this daemon.json key.
  printf '{ "deprecated-key-path": "%s" }\n' "$STATE_DIR/$name/key.json" >"$STATE_DIR/$name/daemon.json"
  # Distinct exec roots give each dockerd its own containerd (it starts one under
  # <exec-root>/containerd when --containerd is not given), its own netns dir and its own shims.
  # --bridge none (no default "bridge" network) has one more effect, checked here: the classic builder
  # runs RUN steps fine, but BuildKit fails them with "network bridge not found" unless the build
  # asks for --network none or host.
  # Each daemon also needs its own trust key: /info's ID derives from it, and with the shared default
  # (/etc/docker/key.json) both daemons would report the same ID and look like one daemon.
  setsid "$DOCKERD" \
    --host "$(host_of "$name")" \
    --data-root "$STATE_DIR/$name/data" \
    --exec-root "$STATE_DIR/$name/exec" \
    --pidfile "$pidfile" \
    --config-file "$STATE_DIR/$name/daemon.json" \
    --default-address-pool "base=$pool,size=24" \
    --bridge none \
    --label "io.mixcompose.rig.daemon=$name" \
    --shutdown-timeout 2 \
    --log-level warn \
    </dev/null >>"$LOG_DIR/$name.log" 2>&1 9>&- &
  local started=$!
  if ! wait_until "$name dockerd" "$READY_TIMEOUT_S" "$started" daemon_answers "$name"; then
    tail -n 30 "$LOG_DIR/$name.log" >&2 || true
    die "$name: dockerd did not become ready (log: $LOG_DIR/$name.log)"
  fi
  log "$name: dockerd ready at $(host_of "$name") (pid $started, pool $pool)"
}

# Kill every process still using this daemon's roots (containerd, shims), by pid.
kill_leftover_processes() {
  local name=$1 prefix="$STATE_DIR/$name/" pid cmd
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    cmd=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)
    case "$cmd" in
      *"$prefix"*) log "$name: killing leftover pid $pid ($cmd)"; kill -9 "$pid" 2>/dev/null || true ;;
    esac
  done
}

unmount_leftovers() {
  local name=$1 prefix="$STATE_DIR/$name/" mp
  # Deepest first; mountinfo field 5 is the mount point.
  for mp in $(awk -v p="$prefix" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$mp" 2>/dev/null || true
  done
}

# Leave nothing behind: the rig's daemons hold only test leftovers (images stay).
wipe_daemon() {
  local name=$1 ids
  daemon_answers "$name" || return 0
  ids=$(dk "$name" ps -aq 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$name" rm -f $ids >/dev/null 2>&1 || true
  dk "$name" network prune -f >/dev/null 2>&1 || true
  dk "$name" volume prune -f >/dev/null 2>&1 || true
}

# Stops one dockerd (its containers stop with it; nothing is removed), then cleans up what it left.
stop_daemon() {
  local name=$1 pidfile pid
  pidfile=$(pidfile_of "$name")
  pid=$(pid_from "$pidfile")
  if pid_alive "$pid"; then
    # Kill running containers first: dockerd's shutdown otherwise waits out each container's stop
    # timeout (10 s for `sleep` as PID 1, which ignores SIGTERM), whatever --shutdown-timeout says.
    local running
    running=$(dk "$name" ps -q 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$running" ] || dk "$name" kill $running >/dev/null 2>&1 || true
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until "$name dockerd to exit" 30 "" pid_gone "$pid"; then
      log "$name: dockerd did not exit, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "$name: dockerd stopped"
  else
    log "$name: dockerd not running"
  fi
  kill_leftover_processes "$name"
  unmount_leftovers "$name"
  rm -f "$pidfile" "$(sock_of "$name")"
}

# ----------------------------------------------------------------------------------------- iptables
# Both daemons write the same iptables chains, so each one's isolation rules drop the other's traffic.
# One ACCEPT per direction in DOCKER-USER (evaluated first in FORWARD) routes the pools to each other.
# Note: each daemon's MASQUERADE rule (-s its-subnet ! -o its-bridge) still applies, so a peer on the
# other daemon sees connections (and DNS queries) coming from the gateway of its own network
# (e.g. 10.201.0.1), not from the caller's container IP.

iptables_rules() {
  local a b
  a=$(pool_of linux); b=$(pool_of windows)
  echo "-s $a -d $b -j ACCEPT"
  echo "-s $b -d $a -j ACCEPT"
}

add_routes() {
  iptables -N DOCKER-USER 2>/dev/null || true
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086
    iptables -C DOCKER-USER $rule 2>/dev/null || iptables -I DOCKER-USER $rule
  done < <(iptables_rules)
}

remove_routes() {
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086
    while iptables -C DOCKER-USER $rule 2>/dev/null; do iptables -D DOCKER-USER $rule; done
  done < <(iptables_rules)
}

routes_present() {
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086
    iptables -C DOCKER-USER $rule 2>/dev/null || return 1
  done < <(iptables_rules)
}

# ------------------------------------------------------------------------------------------- images

# A rootfs made from Debian's busybox-static. Needs /tmp (1777), /etc/passwd, /etc/group, /proc, /sys,
# /dev; without /tmp `touch /tmp/x` fails. The static binary resolves names via /etc/resolv.conf and
# /etc/hosts (Docker bind-mounts both).
make_busybox_rootfs() {
  local root=$1 applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/run,home}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

tar_rootfs() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2" .
}

build_busybox_tar() {
  local out=$CACHE_DIR/busybox.tar
  [ -s "$out" ] && return 0
  mkdir -p "$CACHE_DIR"
  local tmp; tmp=$(mktemp -d)
  make_busybox_rootfs "$tmp/root"
  tar_rootfs "$tmp/root" "$out.tmp" && mv "$out.tmp" "$out"
  rm -rf "$tmp"
}

# The resolver: busybox + Debian's dnsmasq with the libraries ldd lists and the dynamic loader.
# Checked here (dnsmasq 2.90):
# - --hostsdir must exist when dnsmasq starts: a missing one only logs "bad dynamic directory" and is
#   never watched. With it present, a file written there later (docker cp / putArchive) is picked up
#   through inotify ("new or modified") within the same second; no restart, no signal.
# - /var/run must exist (pid file; without it dnsmasq exits with status 3).
# - /etc/passwd lists root and nobody, so both --user=root and the default user work.
# - dnsmasq as PID 1 exits on SIGTERM, so stopping the resolver is immediate.
# - The default CMD is the documented resolver command; the engine may pass its own.
build_resolver_tar() {
  local out=$CACHE_DIR/resolver.tar
  [ -s "$out" ] && return 0
  mkdir -p "$CACHE_DIR"
  local tmp lib; tmp=$(mktemp -d)
  make_busybox_rootfs "$tmp/root"
  mkdir -p "$tmp/root/etc/mixcompose/hosts" "$tmp/root/var/lib/misc"
  cp /usr/sbin/dnsmasq "$tmp/root/usr/sbin/dnsmasq"
  # ldd lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)".
  for lib in $(ldd /usr/sbin/dnsmasq | grep -oE '/[^ ]+'); do
    mkdir -p "$tmp/root$(dirname "$lib")"
    cp -L "$lib" "$tmp/root$lib"
  done
  tar_rootfs "$tmp/root" "$out.tmp" && mv "$out.tmp" "$out"
  rm -rf "$tmp"
}

RESOLVER_CMD='["dnsmasq","-k","--no-resolv","--server=127.0.0.11","--hostsdir=/etc/mixcompose/hosts","--no-hosts","--user=root","--log-queries","--log-facility=-"]'

import_images() {
  local name=$1
  if ! dk "$name" image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
    dk "$name" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["sh"]' \
      "$CACHE_DIR/busybox.tar" "$BUSYBOX_IMAGE" >/dev/null
    log "$name: imported $BUSYBOX_IMAGE"
  fi
  if ! dk "$name" image inspect "$RESOLVER_IMAGE" >/dev/null 2>&1; then
    dk "$name" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "CMD $RESOLVER_CMD" \
      "$CACHE_DIR/resolver.tar" "$RESOLVER_IMAGE" >/dev/null
    log "$name: imported $RESOLVER_IMAGE"
  fi
}

# ----------------------------------------------------------------------------------------- registry

registry_answers() { curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/"; }

start_registry() {
  local pidfile=$RUN_DIR/registry.pid pid
  pid=$(pid_from "$pidfile")
  if pid_alive "$pid" && registry_answers 2>/dev/null; then
    log "registry already running (pid $pid)"
    return 0
  fi
  mkdir -p "$STATE_DIR/registry/data" "$LOG_DIR" "$RUN_DIR"
  cat >"$STATE_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
  fields:
    service: mixcompose-rig-registry
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  setsid "$REGISTRY_BIN" serve "$STATE_DIR/registry/config.yml" \
    </dev/null >>"$LOG_DIR/registry.log" 2>&1 9>&- &
  local started=$!
  echo "$started" >"$pidfile"
  if ! wait_until registry "$READY_TIMEOUT_S" "$started" registry_answers; then
    tail -n 30 "$LOG_DIR/registry.log" >&2 || true
    die "registry did not become ready (log: $LOG_DIR/registry.log)"
  fi
  log "registry ready at $REGISTRY_ADDR (pid $started)"
}

stop_registry() {
  local pidfile=$RUN_DIR/registry.pid pid
  pid=$(pid_from "$pidfile")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_until "registry to exit" 10 "" pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    log "registry stopped"
  else
    log "registry not running"
  fi
  rm -f "$pidfile"
}

registry_has() { curl -fsS -o /dev/null -I 2>/dev/null \
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REGISTRY_ADDR/v2/$1/manifests/${2:-latest}"; }

seed_registry() {
  # Daemons treat 127.0.0.0/8 registries as insecure by default: no --insecure-registry needed.
  if ! registry_has busybox; then
    dk linux tag "$BUSYBOX_IMAGE" "$REGISTRY_ADDR/busybox:latest"
    dk linux push "$REGISTRY_ADDR/busybox:latest" >/dev/null
    dk linux rmi "$REGISTRY_ADDR/busybox:latest" >/dev/null
    log "registry: pushed busybox:latest"
  fi
  if ! registry_has resolver-base; then
    dk linux tag "$RESOLVER_IMAGE" "$REGISTRY_ADDR/$RESOLVER_BASE_REF"
    dk linux push "$REGISTRY_ADDR/$RESOLVER_BASE_REF" >/dev/null
    dk linux rmi "$REGISTRY_ADDR/$RESOLVER_BASE_REF" >/dev/null
    log "registry: pushed $RESOLVER_BASE_REF"
  fi
  # fake-windows (config os=windows) and payload-1..4 (busybox + a random layer), through the HTTP API.
  node "$SCRIPT_DIR/rig-registry.mjs" "$REGISTRY_ADDR"
}

# ---------------------------------------------------------------------------------------- commands

cmd_up() {
  need_root up
  local name
  for name in "${DAEMONS[@]}"; do start_daemon "$name"; done
  add_routes
  build_busybox_tar
  build_resolver_tar
  for name in "${DAEMONS[@]}"; do import_images "$name"; done
  start_registry
  seed_registry
  log "up. $(cmd_env)"
}

cmd_down() {
  need_root down
  local name
  stop_registry
  for name in "${DAEMONS[@]}"; do wipe_daemon "$name"; stop_daemon "$name"; done
  remove_routes
  if [ "${1:-}" = --purge ]; then
    rm -rf "$STATE_DIR"
    log "purged $STATE_DIR"
  fi
  rm -rf "$RUN_DIR"
  log down
}

cmd_status() {
  local ok=0 name pid
  for name in "${DAEMONS[@]}"; do
    pid=$(pid_from "$(pidfile_of "$name")")
    if pid_alive "$pid" && daemon_answers "$name"; then
      echo "$name: up  $(host_of "$name")  pid $pid  pool $(pool_of "$name")  engine $(dk "$name" version --format '{{.Server.Version}}')"
    else
      echo "$name: down"; ok=1
    fi
  done
  pid=$(pid_from "$RUN_DIR/registry.pid")
  if pid_alive "$pid" && registry_answers 2>/dev/null; then
    echo "registry: up  $REGISTRY_ADDR  pid $pid"
  else
    echo "registry: down"; ok=1
  fi
  if routes_present 2>/dev/null; then echo "routes: DOCKER-USER accepts $(pool_of linux) <-> $(pool_of windows)"
  else echo "routes: missing"; ok=1; fi
  return $ok
}

cmd_env() {
  echo "export MIXCOMPOSE_LINUX_HOST=$(host_of linux) MIXCOMPOSE_WINDOWS_HOST=$(host_of windows) MIXCOMPOSE_ALLOW_OS_MISMATCH=1 MIXCOMPOSE_TEST_REGISTRY=$REGISTRY_ADDR"
}

# For tests of a daemon going away and coming back: stop or start ONE daemon, keeping its state.
daemon_arg() {
  case "${1:-}" in linux|windows) ;; *) die "expected a daemon name: linux or windows" ;; esac
}
cmd_stop_daemon() { need_root stop-daemon; daemon_arg "${1:-}"; stop_daemon "$1"; }
cmd_start_daemon() { need_root start-daemon; daemon_arg "${1:-}"; start_daemon "$1"; add_routes; }
cmd_unroute() { need_root unroute; remove_routes; log "routes between the pools removed"; }
cmd_route() { need_root route; add_routes; log "routes between the pools restored"; }

# Commands that change the rig run one at a time (tests and people may call rig.sh concurrently: two
# start_daemon racing would both launch a dockerd). The lock file lives outside RUN_DIR, which `down`
# removes. Long-lived children (dockerd, the registry) must not inherit its fd (9>&-).
case "${1:-}" in
  up|down|stop-daemon|start-daemon|route|unroute)
    if [ "$(id -u)" = 0 ] && command -v flock >/dev/null; then
      exec 9>/run/mixcompose-rig.lock
      flock -w 300 9 || die "another rig.sh is still running after 300 s"
    fi ;;
esac

case "${1:-}" in
  up) cmd_up ;;
  stop-daemon) shift; cmd_stop_daemon "$@" ;;
  start-daemon) shift; cmd_start_daemon "$@" ;;
  unroute) cmd_unroute ;;
  route) cmd_route ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 up | down [--purge] | status | env | stop-daemon NAME | start-daemon NAME | unroute | route" >&2; exit 2 ;;
esac
