#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`, and that Debian's
# docker-compose (v1; the compose example's e2e test, e2e/deploy-compose.e2e.ts)
# is installed.
#
# - If one already answers: only install docker-compose when it is missing
#   (as root, with apt).
# - Else (must be root): install Debian's docker.io with apt when dockerd is
#   missing, start one dockerd in the background (unless one is already
#   running), and wait for `docker info` with a deadline.
#
# Idempotent. Never passes --bridge=none (that deletes the host's docker0).
# Environment:
#   SDNODE_DOCKERD_LOG       dockerd log file (default /var/log/sdnode-dockerd.log)
#   SDNODE_DOCKER_WAIT_SECS  deadline for the engine to answer (default 90)
set -euo pipefail

LOG_FILE="${SDNODE_DOCKERD_LOG:-/var/log/sdnode-dockerd.log}"
WAIT_SECS="${SDNODE_DOCKER_WAIT_SECS:-90}"

say() { printf '[ensure-docker] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# A hung engine must not hang this script: each probe has its own deadline.
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

# shellcheck source=retry.sh
source "$(dirname "${BASH_SOURCE[0]}")/retry.sh"

# Is this pid a live process (not a zombie left by a killed dockerd)?
# Reads /proc directly: a minimal machine may have no procps (ps, pgrep).
is_live() {
  local stat
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }" # after the "(comm) " field: the state letter first
  [[ -n "$stat" && "${stat:0:1}" != Z && "${stat:0:1}" != X ]]
}

# The pid of a live process named exactly dockerd, if any.
dockerd_pid() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    if [[ "$(cat "$dir/comm" 2>/dev/null)" == dockerd ]] && is_live "$pid"; then
      echo "$pid"
      return 0
    fi
  done
}

diagnostics() {
  say "---- diagnostics ----"
  say "docker client: $(command -v docker || echo 'not found')"
  say "dockerd: $(command -v dockerd || echo 'not found'); running pid: $(dockerd_pid)"
  if [[ -f "$LOG_FILE" ]]; then
    say "last 40 lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2 || true
  else
    say "no dockerd log at $LOG_FILE"
  fi
  say "docker info said:"
  timeout 10 docker info 2>&1 | tail -n 20 >&2 || true
}

# Wait for the engine to answer. Starts dockerd when none runs (also when one
# that was running when we looked, e.g. one being shut down, goes away). A
# dockerd we started that dies is started once more (a previous engine's
# processes may still have been exiting); a second death is the error.
wait_for_engine() {
  local deadline=$((SECONDS + WAIT_SECS))
  local delay=0.1 starts=0 pid
  while ((SECONDS < deadline)); do
    if engine_answers; then
      return 0
    fi
    pid="$(dockerd_pid)"
    if [[ -z "$pid" ]]; then
      if ((starts >= 2)); then
        diagnostics
        die "dockerd exited before the engine answered (started twice)"
      fi
      ((starts > 0)) && say "dockerd exited before answering; starting it once more"
      start_dockerd
      starts=$((starts + 1))
    fi
    # Poll with a growing interval (condition polling, not a fixed wait).
    sleep "$delay"
    delay=$(awk -v d="$delay" 'BEGIN { d = d * 2; if (d > 1) d = 1; print d }')
  done
  diagnostics
  die "the Docker engine did not answer 'docker info' within ${WAIT_SECS}s"
}

install_docker() {
  [[ "$(id -u)" == "0" ]] || die "dockerd is not installed and this is not root: install Docker (Debian: apt-get install docker.io) and start it"
  command -v apt-get >/dev/null 2>&1 || die "dockerd is not installed and apt-get is not available"
  say "installing Debian's docker.io with apt-get"
  local started=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  # iptables: dockerd's bridge networking needs it; docker.io depends on it,
  # but name it so a changed dependency list cannot drop it.
  retry 3 apt-get update -qq
  retry 3 apt-get install -y -qq --no-install-recommends docker.io docker-compose iptables ca-certificates >/dev/null
  say "docker.io and docker-compose installed in $((SECONDS - started))s"
}

# Debian's docker-compose (v1, python) for docs/deploy/compose's e2e test. Not
# fatal when it cannot be installed: that test then says why it cannot run.
ensure_compose() {
  command -v docker-compose >/dev/null 2>&1 && return 0
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null 2>&1; then
    say "docker-compose is missing (not root, or no apt-get): the compose e2e test will say so"
    return 0
  fi
  say "installing Debian's docker-compose with apt-get"
  local started=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  if retry 3 apt-get update -qq && retry 3 apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; then
    say "docker-compose installed in $((SECONDS - started))s: $(docker-compose version --short 2>/dev/null || echo '?')"
  else
    say "installing docker-compose failed: the compose e2e test will say so"
  fi
}

start_dockerd() {
  [[ "$(id -u)" == "0" ]] || die "no Docker engine answers and this is not root: start dockerd (or the Docker service) yourself"
  mkdir -p "$(dirname "$LOG_FILE")"
  say "starting dockerd (log: $LOG_FILE)"
  # Pid files of a dockerd, or of the containerd it started, that no longer
  # run (or are zombies): dockerd would refuse to start, or wait for that
  # containerd instead of starting its own.
  local pidfile
  for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [[ -f "$pidfile" ]] && ! is_live "$(cat "$pidfile")"; then
      rm -f "$pidfile"
    fi
  done
  # setsid + nohup: the engine outlives this script and its shell.
  setsid nohup dockerd >>"$LOG_FILE" 2>&1 </dev/null &
  say "dockerd pid $!"
}

main() {
  if engine_answers; then
    say "Docker engine already answers"
    ensure_compose
    return 0
  fi
  local started=$SECONDS
  command -v dockerd >/dev/null 2>&1 || install_docker
  command -v docker >/dev/null 2>&1 || die "docker client missing after install"
  local running
  running="$(dockerd_pid)"
  if [[ -n "$running" ]]; then
    say "dockerd already running (pid $running); waiting for it to answer"
  fi
  wait_for_engine
  ensure_compose
  say "Docker engine ready in $((SECONDS - started))s: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}' 2>/dev/null || echo '?')"
}

main "$@"
