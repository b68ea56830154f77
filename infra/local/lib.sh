# shellcheck shell=bash
# Common helpers for infra/local/services.sh and infra/local/servers/*.sh.
# Sourced, never executed.

LOCAL_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Repo root = two directories up from this file (infra/local/lib.sh). Same as
# `git rev-parse --show-toplevel` but does not depend on git (nor on its
# safe.directory ownership check when the clone belongs to another user).
REPO_ROOT="$(cd "$LOCAL_INFRA_DIR/../.." && pwd)"
LOCAL_DIR="$REPO_ROOT/.local"

# ---- ports (override by environment) ----------------------------------------
: "${PG_PORT:=5432}"
: "${REDIS_PORT:=6379}"
: "${NATS_PORT:=4222}"
: "${NATS_MONITOR_PORT:=8222}"
: "${CLICKHOUSE_HTTP_PORT:=8123}"
: "${CLICKHOUSE_TCP_PORT:=9000}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${ES_PORT:=9200}"
: "${ES_TRANSPORT_PORT:=9300}"
: "${PROMETHEUS_PORT:=9090}"

# JDK for Kafka and Elasticsearch (Debian's OpenJDK 17), independent of
# whatever JAVA_HOME the caller has.
: "${SERVICES_JAVA_HOME:=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture 2>/dev/null || echo amd64)}"

export DEBIAN_FRONTEND=noninteractive

# ---- messages ----------------------------------------------------------------
log()  { printf '%s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Loud failure banner + the last 30 lines of each given log file.
report_failure() {
  local name=$1 reason=$2; shift 2
  {
    printf '\n%s\n' "########################################################################"
    printf '### %s FAILED: %s\n' "$name" "$reason"
    local f
    for f in "$@"; do
      if [[ -f $f ]]; then
        printf '### last 30 lines of %s:\n' "$f"
        tail -n 30 "$f" | sed 's/^/    /'
      else
        printf '### (no log file %s)\n' "$f"
      fi
    done
    printf '%s\n\n' "########################################################################"
  } >&2
}

# ---- packages ----------------------------------------------------------------
# `apt-get update` at most once per services.sh run, even across the
# subshells the servers are installed in: a stamp file keyed on the main pid.
_APT_STAMP="${_APT_STAMP:-${TMPDIR:-/tmp}/events-platform-apt-updated.$$}"
export _APT_STAMP
_APT_LOCK=/run/lock/events-platform-apt.lock

# ensure_pkgs "cmd-or-path:package" ... : apt-get install the packages whose
# command/file is missing. `apt-get update` runs at most once per invocation.
ensure_pkgs() {
  local spec want=() cmd pkg
  for spec in "$@"; do
    cmd=${spec%%:*}; pkg=${spec#*:}
    if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue
    else command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    want+=("$pkg")
  done
  ((${#want[@]})) || return 0
  log "installing missing packages: ${want[*]}"
  # Debian packages try to start their daemon on install (init.d via
  # invoke-rc.d). We run our own instances, so forbid that for the duration.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; added_policy=1
  fi
  local rc=0
  {
    # servers install in parallel: one apt-get at a time
    flock -w 900 7 || die "could not get the apt lock $_APT_LOCK"
    if [[ ! -e $_APT_STAMP ]]; then
      apt-get update -qq </dev/null || rc=$?
      touch "$_APT_STAMP"
    fi
    if ((rc == 0)); then
      apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${want[@]}" </dev/null || rc=$?
    fi
  } 7>"$_APT_LOCK"
  ((added_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${want[*]} failed (rc=$rc)"
}

# run_logged LOGFILE CMD...: run CMD (cwd /, no stdin) with its output in
# LOGFILE; on failure show the tail of it. (Debian's mvn prints ANSI escapes
# even with -B -q, hence not straight to the terminal.)
run_logged() {
  local logfile=$1; shift
  if (cd / && "$@") </dev/null >"$logfile" 2>&1; then
    return 0
  fi
  local rc=$?
  log "command failed (rc=$rc): $*"
  tail -n 30 "$logfile" | sed 's/\x1b\[[0-9;]*m//g' >&2
  return $rc
}

# mvn_locked LOGFILE MVN-ARGS...: run_logged mvn, one mvn at a time (the
# local maven repository is not safe for concurrent downloads).
mvn_locked() {
  local logfile=$1; shift
  {
    flock -w 900 7 || die "could not get the maven lock"
    run_logged "$logfile" mvn -B -q "$@"
  } 7>"/run/lock/events-platform-mvn.lock"
}

# Health checks return 0 (healthy), 1 (not yet) or HEALTH_FATAL (gave up).
# shellcheck disable=SC2034  # used by servers/*.sh and services.sh
HEALTH_FATAL=99

# ---- processes ---------------------------------------------------------------
# pid_alive PID PATTERN: PID exists and its command line contains PATTERN
# (guards against a stale pid file whose pid was reused by something else).
pid_alive() {
  local pid=$1 pattern=$2
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # a zombie (exited, not yet reaped by its parent) counts as dead
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# read_pid FILE: first line of a pid file (postmaster.pid has more lines).
read_pid() {
  [[ -f $1 ]] || return 1
  local pid
  pid=$(head -n 1 "$1" 2>/dev/null | tr -dc '0-9')
  [[ -n $pid ]] || return 1
  printf '%s' "$pid"
}

# svc_pid NAME: pid of the live process started for server NAME (from
# NAME_pidfile, checked against NAME_proc), or fail.
svc_pid() {
  local pid
  pid=$(read_pid "$("${1}_pidfile")") || return 1
  pid_alive "$pid" "$("${1}_proc")" || return 1
  printf '%s' "$pid"
}

# svc_pid_dead NAME: there is a pid file but its process is gone.
svc_pid_dead() {
  local pid
  pid=$(read_pid "$("${1}_pidfile")") || return 1
  ! pid_alive "$pid" "$("${1}_proc")"
}

# spawn PIDFILE LOGFILE CMD...: start a long-running foreground program in the
# background, detached from our session, stdin, stdout/stderr and lock fd.
spawn() {
  local pidfile=$1 logfile=$2; shift 2
  (
    cd /
    printf '%s\n' "$BASHPID" >"$pidfile"
    exec setsid "$@"
  ) </dev/null >>"$logfile" 2>&1 9>&- &
}

# detached CMD...: run a command (typically one that daemonizes itself) with
# no stdin, no inherited lock fd and cwd=/ (service users may not be able to
# read the caller's cwd). Caller redirects stdout/stderr.
detached() {
  ( cd / && exec "$@" ) </dev/null 9>&-
}

# stop_pid NAME PID PATTERN SIGNAL TIMEOUT: signal and wait for exit, SIGKILL
# after TIMEOUT seconds.
stop_pid() {
  local name=$1 pid=$2 pattern=$3 sig=$4 timeout=$5 i
  pid_alive "$pid" "$pattern" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" "$pattern" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) did not exit within ${timeout}s after SIG$sig; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" "$pattern" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) still alive after SIGKILL"
  return 1
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# http_get URL: body on stdout, fails on HTTP >= 400 or connection errors.
http_get() {
  curl -fsS --max-time "${2:-3}" "$1" 2>/dev/null
}

# rotate_log FILE: keep the previous run's log as FILE.1 (health checks that
# grep a log must only see the current run).
rotate_log() {
  [[ -f $1 ]] && mv -f "$1" "$1.1"
  return 0
}

# ---- data directories for non-root service users -----------------------------
repo_hash() {
  printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12
}

# service_dir NAME USER: make .local/NAME usable by USER and print its real
# path. When USER cannot traverse the repo (e.g. a clone under /root, mode
# 700), the data lives in /var/lib/events-platform/<hash of repo path>/NAME
# and .local/NAME is a symlink to it.
service_dir() {
  local name=$1 user=$2 link="$LOCAL_DIR/$1" target
  if [[ -L $link ]]; then
    target=$(readlink -m "$link")
    mkdir -p "$target"
  elif [[ -d $link ]]; then
    target=$link
    runuser -u "$user" -- test -x "$target" ||
      die "$user cannot access $target (repo moved under a private directory?); remove it and retry"
  elif runuser -u "$user" -- test -x "$LOCAL_DIR"; then
    target=$link
    mkdir -p "$target"
  else
    target="/var/lib/events-platform/$(repo_hash)/$name"
    mkdir -p "$target"
    chmod 755 /var/lib/events-platform "/var/lib/events-platform/$(repo_hash)"
    ln -sfn "$target" "$link"
    log "$user cannot traverse $REPO_ROOT; $name data lives in $target (symlinked from $link)"
  fi
  chown "$user:" "$target"
  printf '%s' "$target"
}

ensure_system_user() {
  local user=$1
  id -u "$user" >/dev/null 2>&1 && return 0
  log "creating system user $user"
  useradd --system --no-create-home --user-group --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$user"
}
