#!/usr/bin/env bash
# Stop the one-node SLURM test cluster started by tests/cluster/slurm-up.sh.
#
# Stops, by the PIDs that slurm-up.sh recorded in $FM_SLURM_STATE/pids/ (never by
# process name), in reverse order: slurmd, slurmctld, slurmdbd, munged, MariaDB.
# Jobs still running are cancelled first. Configuration, accounting database and
# logs stay in place, so the next slurm-up.sh starts quickly with the same job
# history; `--purge` also deletes the state folder and the two configuration files.
# Safe to rerun: a daemon that is not running is skipped.
#
#   tests/cluster/slurm-down.sh [--purge]

set -euo pipefail

readonly STATE="${FM_SLURM_STATE:-/var/lib/frankenmodels-slurm}"
readonly MARKER="# Written by FrankenModels tests/cluster/slurm-up.sh"

log() { printf '[slurm-down] %s\n' "$*"; }
die() {
  printf '[slurm-down] ERROR: %s\n' "$*" >&2
  exit 1
}

purge=0
case "${1:-}" in
  "") ;;
  --purge) purge=1 ;;
  -h | --help)
    sed -n '2,11p' "$0"
    exit 0
    ;;
  *) die "unknown argument '$1' (usage: $0 [--purge])" ;;
esac

[[ "$(id -u)" -eq 0 ]] || die "must run as root (the daemons run as root or as system users)"

if [[ ! -d "$STATE/pids" ]]; then
  log "no state folder $STATE/pids: nothing was started by slurm-up.sh"
else
  # Cancel what is still queued or running while slurmctld is there to do it.
  if [[ -s "$STATE/pids/slurmctld.pid" ]] && kill -0 "$(<"$STATE/pids/slurmctld.pid")" 2>/dev/null; then
    scancel --full --state=PENDING >/dev/null 2>&1 || true
    scancel --full --state=RUNNING >/dev/null 2>&1 || true
    # Give slurmd up to 20 s to end the job steps before it goes itself.
    for _ in $(seq 1 20); do
      [[ -z "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ]] && break
      sleep 1
    done
  fi

  # stop NAME: SIGTERM the recorded PID, wait up to 30 s, then SIGKILL.
  stop() {
    local name="$1" pidfile="$STATE/pids/$1.pid" pid
    if [[ ! -s "$pidfile" ]]; then
      return 0
    fi
    pid="$(<"$pidfile")"
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name (PID $pid) is not running"
      rm -f "$pidfile"
      return 0
    fi
    log "stopping $name (PID $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (PID $pid) ignored SIGTERM for 30 s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  }

  for name in slurmd slurmctld slurmdbd munged mariadb; do
    stop "$name"
  done
fi

if ((purge)); then
  for conf in /etc/slurm/slurm.conf /etc/slurm/slurmdbd.conf; do
    if [[ -f "$conf" ]] && grep -qF "$MARKER" "$conf"; then
      rm -f "$conf"
    fi
  done
  # Only delete a folder that looks like ours (has the pids/ folder).
  if [[ -d "$STATE/pids" ]]; then
    rm -rf "$STATE"
  fi
  log "purged $STATE and the configuration files"
fi
log "done"
