#!/usr/bin/env bash
# Start a one-node SLURM test cluster on this machine, with job accounting.
#
#   sudo tests/cluster/slurm-up.sh        # or as root in a container / CI
#   tests/cluster/slurm-down.sh           # stops everything this script started
#
# What it does (every step is skipped when already done, so it is safe to rerun):
#   1. installs the Debian packages slurm-wlm (brings munge), slurmdbd and
#      mariadb-server when missing (apt-get, non-interactive);
#   2. writes /etc/slurm/slurm.conf (one node "localhost" with this machine's CPU
#      count and memory, one partition "debug") and /etc/slurm/slurmdbd.conf;
#   3. starts, by hand (there is no systemd in a container), a private MariaDB,
#      munged, slurmdbd, slurmctld and slurmd, each in the foreground of its own
#      session, and records their PIDs in $FM_SLURM_STATE/pids/ for slurm-down.sh;
#   4. registers the cluster, an account and the current user with sacctmgr, so
#      that `sacct` answers as on a real cluster (the SLURM executor plugin of
#      Snakemake polls job states with sacct: without accounting it waits forever);
#   5. waits until `sinfo` shows the node idle and `sacct` answers.
#
# Why these choices:
#   - The configuration lives at /etc/slurm/slurm.conf, the compiled-in default:
#     jobs do not inherit SLURM_CONF, so a config elsewhere is lost inside jobs.
#   - No cgroups (proctrack/linuxproc, task/none, jobacct_gather/linux): containers
#     rarely delegate cgroups to us, and the test cluster needs no confinement.
#   - MariaDB runs from a private data directory under the state folder, on
#     127.0.0.1:$FM_SLURM_DB_PORT only, so it never touches a system database.
#
# Environment (all optional):
#   FM_SLURM_STATE     state folder (PIDs, logs, spool, database)  [/var/lib/frankenmodels-slurm]
#   FM_SLURM_DB_PORT   TCP port of the private MariaDB             [33061]
#   FM_SLURM_FORCE=1   overwrite an /etc/slurm/slurm.conf this script did not write
#   FM_SLURM_TIMEOUT   seconds to wait for each daemon              [60]

set -euo pipefail

readonly STATE="${FM_SLURM_STATE:-/var/lib/frankenmodels-slurm}"
readonly DB_PORT="${FM_SLURM_DB_PORT:-33061}"
readonly TIMEOUT="${FM_SLURM_TIMEOUT:-60}"
readonly CLUSTER="frankenmodels"
readonly ACCOUNT="frankenmodels"
readonly PARTITION="debug"
readonly NODE="localhost"
readonly MARKER="# Written by FrankenModels tests/cluster/slurm-up.sh"
readonly SLURM_CONF=/etc/slurm/slurm.conf
readonly DBD_CONF=/etc/slurm/slurmdbd.conf
readonly DB_SOCKET="$STATE/run/mysqld.sock"
readonly DB_NAME="slurm_acct_db"
readonly MUNGE_SOCKET=/run/munge/munge.socket.2
# The user whose jobs run on the cluster: root in CI, otherwise whoever ran sudo.
readonly JOB_USER="${SUDO_USER:-$(id -un)}"

log() { printf '[slurm-up] %s\n' "$*"; }
die() {
  printf '[slurm-up] ERROR: %s\n' "$*" >&2
  exit 1
}

# Print the tail of a log file to stderr (used when a daemon fails to come up).
show_log() {
  if [[ -s "$1" ]]; then
    printf '[slurm-up] --- last lines of %s ---\n' "$1" >&2
    tail -n 20 "$1" >&2
  fi
}

# wait_for DESCRIPTION LOGFILE COMMAND...: retry COMMAND every second until it
# succeeds; after $TIMEOUT seconds show LOGFILE and fail.
wait_for() {
  local what="$1" logfile="$2"
  shift 2
  local waited=0
  until "$@" >/dev/null 2>&1; do
    if ((waited >= TIMEOUT)); then
      show_log "$logfile"
      die "$what did not come up within ${TIMEOUT}s (see $logfile)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# is_running NAME: true when the PID recorded for NAME is alive.
is_running() {
  local pidfile="$STATE/pids/$1.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  kill -0 "$pid" 2>/dev/null
}

# start_daemon NAME LOGFILE COMMAND...: run COMMAND (which must stay in the
# foreground) in a new session, detached from this shell's terminal, and record
# its PID. setsid does not fork here (a background job of a non-interactive
# shell is no process-group leader), so $! is the daemon itself.
start_daemon() {
  local name="$1" logfile="$2"
  shift 2
  if is_running "$name"; then
    log "$name already running (PID $(<"$STATE/pids/$name.pid"))"
    return 0
  fi
  log "starting $name"
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo "$!" >"$STATE/pids/$name.pid"
}

# ---------------------------------------------------------------------------
# 0. preconditions
# ---------------------------------------------------------------------------
[[ "$(id -u)" -eq 0 ]] || die "must run as root (it installs packages and starts daemons); try: sudo $0"

if [[ -f "$SLURM_CONF" ]] && ! grep -qF "$MARKER" "$SLURM_CONF" && [[ "${FM_SLURM_FORCE:-0}" != 1 ]]; then
  die "$SLURM_CONF exists and was not written by this script; refusing to overwrite it (set FM_SLURM_FORCE=1 to do so)"
fi

# ---------------------------------------------------------------------------
# 1. packages
# ---------------------------------------------------------------------------
missing=()
for pkg in slurm-wlm slurmdbd mariadb-server munge; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt-get may hold the dpkg lock; wait for it rather than fail.
  apt_opts=(-q -y -o DPkg::Lock::Timeout=600)
  if ! apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >/tmp/fm-slurm-apt.log 2>&1; then
    # The package lists may be missing or stale (fresh container): update once.
    apt-get "${apt_opts[@]}" update >>/tmp/fm-slurm-apt.log 2>&1 ||
      { show_log /tmp/fm-slurm-apt.log; die "apt-get update failed"; }
    apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >>/tmp/fm-slurm-apt.log 2>&1 ||
      { show_log /tmp/fm-slurm-apt.log; die "apt-get install ${missing[*]} failed"; }
  fi
fi

id slurm >/dev/null 2>&1 || die "user 'slurm' missing although slurm-wlm is installed"
id munge >/dev/null 2>&1 || die "user 'munge' missing although munge is installed"
id mysql >/dev/null 2>&1 || die "user 'mysql' missing although mariadb-server is installed"

# ---------------------------------------------------------------------------
# 2. folders and configuration
# ---------------------------------------------------------------------------
install -d -m 755 "$STATE" "$STATE/pids" "$STATE/log" "$STATE/slurmd"
install -d -m 755 -o slurm -g slurm "$STATE/slurmctld" "$STATE/slurmdbd"
install -d -m 755 -o mysql -g mysql "$STATE/run"
install -d -m 755 -o munge -g munge /run/munge
install -d -m 700 -o munge -g munge /etc/munge
touch "$STATE/log/slurmctld.log" "$STATE/log/slurmdbd.log"
chown slurm:slurm "$STATE/log/slurmctld.log" "$STATE/log/slurmdbd.log"

# The database password is made once and kept (mode 600) for later runs.
if [[ ! -s "$STATE/db.pass" ]]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$STATE/db.pass")
fi
DB_PASS="$(<"$STATE/db.pass")"

cpus="$(nproc)"
# Announce a little less memory than `free` reports: slurmd drains a node whose
# configured RealMemory exceeds what it measures itself.
mem_total_mb="$(free -m | awk '/^Mem:/ {print $2}')"
real_memory=$((mem_total_mb * 95 / 100))

new_slurm_conf="$(
  cat <<EOF
$MARKER
# One-node test cluster: $NODE, $cpus CPUs, $real_memory MB. Do not use in production.
ClusterName=$CLUSTER
SlurmctldHost=$NODE
SlurmUser=slurm
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld/slurmctld.pid
SlurmdPidFile=$STATE/slurmd/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroups: they are seldom delegated to a container.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30

# Scheduling: CPUs and memory are consumable; a job that asks for no memory
# gets DefMemPerCPU per CPU (instead of the whole node).
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1024

# Accounting through slurmdbd, so that sacct answers as on a real cluster.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
JobCompType=jobcomp/none
# Keep the job comment (the plugin writes rule and wildcards there) for sacct.
AccountingStoreFlags=job_comment

# Finished jobs stay visible to squeue/scontrol for 5 minutes.
MinJobAge=300
KillWait=10
InactiveLimit=0
Waittime=0

NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_memory State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=7-00:00:00 State=UP
EOF
)"

new_dbd_conf="$(
  cat <<EOF
$MARKER
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=slurm
DebugLevel=info
LogFile=$STATE/log/slurmdbd.log
PidFile=$STATE/slurmdbd/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=$DB_NAME
EOF
)"

# write_if_changed FILE CONTENT MODE OWNER: returns 0 when FILE was (re)written.
write_if_changed() {
  local file="$1" content="$2" mode="$3" owner="$4"
  if [[ -f "$file" ]] && [[ "$(<"$file")" == "$content" ]]; then
    return 1
  fi
  install -d -m 755 "$(dirname "$file")"
  printf '%s\n' "$content" >"$file.tmp"
  chmod "$mode" "$file.tmp"
  chown "$owner" "$file.tmp"
  mv -f "$file.tmp" "$file"
  return 0
}

changed=0
write_if_changed "$SLURM_CONF" "$new_slurm_conf" 644 root:root && changed=1
write_if_changed "$DBD_CONF" "$new_dbd_conf" 600 slurm:slurm && changed=1
if ((changed)); then
  log "wrote $SLURM_CONF and $DBD_CONF"
  # Daemons of an earlier run read the old files: restart the SLURM daemons.
  for name in slurmd slurmctld slurmdbd; do
    if is_running "$name"; then
      log "configuration changed: stopping $name to restart it"
      pid="$(<"$STATE/pids/$name.pid")"
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      rm -f "$STATE/pids/$name.pid"
    fi
  done
fi

# ---------------------------------------------------------------------------
# 3. MariaDB (private data directory, TCP on 127.0.0.1 only)
# ---------------------------------------------------------------------------
if [[ ! -d "$STATE/mysql/mysql" ]]; then
  log "initialising MariaDB data directory $STATE/mysql"
  rm -rf "$STATE/mysql"
  install -d -m 750 -o mysql -g mysql "$STATE/mysql"
  mariadb-install-db --no-defaults --user=mysql --datadir="$STATE/mysql" \
    --auth-root-authentication-method=socket --skip-test-db \
    >"$STATE/log/mariadb-install.log" 2>&1 ||
    { show_log "$STATE/log/mariadb-install.log"; die "mariadb-install-db failed"; }
fi
start_daemon mariadb "$STATE/log/mariadb.log" \
  mariadbd --no-defaults --user=mysql --datadir="$STATE/mysql" \
  --socket="$DB_SOCKET" --pid-file="$STATE/run/mariadb.pid" \
  --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
  --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 \
  --log-error="$STATE/log/mariadb.log"
wait_for "MariaDB" "$STATE/log/mariadb.log" mariadb-admin --no-defaults --socket="$DB_SOCKET" ping

# Database and user for slurmdbd (idempotent; the password follows db.pass).
mariadb --no-defaults --socket="$DB_SOCKET" -u root <<EOF ||
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON $DB_NAME.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON $DB_NAME.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
EOF
  die "could not create the database $DB_NAME and its user"

# ---------------------------------------------------------------------------
# 4. munge (authentication between all SLURM commands and daemons)
# ---------------------------------------------------------------------------
if [[ ! -s /etc/munge/munge.key ]]; then
  log "creating /etc/munge/munge.key"
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile=/etc/munge/munge.key
  else
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
munge_ok() { munge -n -S "$MUNGE_SOCKET" | unmunge -S "$MUNGE_SOCKET"; }
if munge_ok >/dev/null 2>&1 && ! is_running munged; then
  log "a munged is already running (not started by this script): using it"
else
  start_daemon munged "$STATE/log/munged.out" \
    setpriv --reuid=munge --regid=munge --init-groups munged --foreground
  wait_for "munged" "$STATE/log/munged.out" munge_ok
fi

# ---------------------------------------------------------------------------
# 5. slurmdbd, then the cluster, account and user in the accounting database
# ---------------------------------------------------------------------------
start_daemon slurmdbd "$STATE/log/slurmdbd.out" slurmdbd -D
wait_for "slurmdbd" "$STATE/log/slurmdbd.log" sacctmgr -n list cluster

if [[ -z "$(sacctmgr -n -P list cluster "$CLUSTER" format=cluster)" ]]; then
  sacctmgr -i add cluster "$CLUSTER" >/dev/null
fi
if [[ -z "$(sacctmgr -n -P list account "$ACCOUNT" format=account)" ]]; then
  sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" \
    description="FrankenModels test cluster" organization=frankenmodels >/dev/null
fi
# root exists from the start (in account "root"), so test the association itself.
if [[ -z "$(sacctmgr -n -P list assoc user="$JOB_USER" account="$ACCOUNT" cluster="$CLUSTER" format=user)" ]]; then
  sacctmgr -i add user "$JOB_USER" account="$ACCOUNT" cluster="$CLUSTER" >/dev/null
fi
if [[ "$(sacctmgr -n -P list user "$JOB_USER" format=defaultaccount)" != "$ACCOUNT" ]]; then
  sacctmgr -i modify user "$JOB_USER" set defaultaccount="$ACCOUNT" >/dev/null
fi

# ---------------------------------------------------------------------------
# 6. slurmctld and slurmd
# ---------------------------------------------------------------------------
start_daemon slurmctld "$STATE/log/slurmctld.out" slurmctld -D -i
wait_for "slurmctld" "$STATE/log/slurmctld.log" scontrol ping
start_daemon slurmd "$STATE/log/slurmd.out" slurmd -D -N "$NODE"

node_idle() {
  local state
  state="$(sinfo -h -n "$NODE" -o '%T')"
  case "$state" in
    idle | mixed | allocated | completing) return 0 ;;
    down* | drain* | fail*)
      # A node left down by an earlier run (or a restart): bring it back.
      scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
      return 1
      ;;
    *) return 1 ;;
  esac
}
wait_for "node $NODE (idle in sinfo)" "$STATE/log/slurmd.log" node_idle
wait_for "sacct" "$STATE/log/slurmdbd.log" sacct -n -X -S now-1minutes

log "cluster '$CLUSTER' is up: partition '$PARTITION', node $NODE, $cpus CPUs, $real_memory MB"
sinfo
log "state, logs and PIDs: $STATE (stop with tests/cluster/slurm-down.sh)"
