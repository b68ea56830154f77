#!/usr/bin/env bash
# Local real servers for development, integration tests and CI (no Docker).
#
#   bash infra/local/services.sh up     [server...]   install + start + wait healthy
#   bash infra/local/services.sh down   [server...]   stop what `up` started
#   bash infra/local/services.sh status [server...]   healthy / running / stopped
#
# Servers: postgres redis nats clickhouse kafka elasticsearch prometheus
# (default: all). Data, logs and pid files live in <repo>/.local/.
# See infra/local/README.md.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ALL_SERVERS=(postgres redis nats clickhouse kafka elasticsearch prometheus)
for _s in "${ALL_SERVERS[@]}"; do
  # shellcheck disable=SC1090
  source "$LOCAL_INFRA_DIR/servers/$_s.sh"
done
unset _s

usage() {
  cat >&2 <<EOF
usage: bash infra/local/services.sh up|down|status [server...]
servers: ${ALL_SERVERS[*]}
EOF
  exit 2
}

# ---- helpers -----------------------------------------------------------------
is_running() { svc_pid "$1" >/dev/null 2>&1; }

endpoint_line() { printf '%-14s %s\n' "$1" "$("${1}_endpoint")"; }

take_lock() {
  mkdir -p "$LOCAL_DIR"
  # .local/ ignores itself, whatever the repo's .gitignore says
  [[ -f $LOCAL_DIR/.gitignore ]] || printf '*\n' >"$LOCAL_DIR/.gitignore"
  exec 9>"$LOCAL_DIR/.services.lock"
  if ! flock -n 9; then
    log "another services.sh up/down is running; waiting for it..."
    flock -w 900 9 || die "could not get $LOCAL_DIR/.services.lock"
  fi
}

# wait_healthy NAME: poll NAME_health until it succeeds, the timeout expires,
# the process dies, or the health check reports a fatal error (rc 99, i.e.
# HEALTH_FATAL: startup failed for good, no point in waiting).
wait_healthy() {
  local name=$1 timeout start now rc pidfile_seen=0
  timeout=$("${name}_timeout")
  start=$SECONDS
  while :; do
    rc=0
    "${name}_health" >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && return 0
    ((rc == HEALTH_FATAL)) && { WAIT_REASON="startup failed"; return 1; }
    now=$SECONDS
    if is_running "$name"; then
      pidfile_seen=1
    elif svc_pid_dead "$name" && ((pidfile_seen || now - start >= 5)); then
      # (5 s grace: a stale pid file from a crash may still be there
      # until the new process rewrites it)
      WAIT_REASON="process exited during startup"; return 1
    fi
    if ((now - start >= timeout)); then
      if is_running "$name"; then
        WAIT_REASON="not healthy after ${timeout}s (process still running)"
      else
        WAIT_REASON="not healthy after ${timeout}s (no live process)"
      fi
      return 1
    fi
    sleep 0.5
  done
}

# Optional per-server hooks: NAME_post_start runs once after a fresh start is
# healthy; NAME_ensure runs on every `up` once healthy (cheap, idempotent).
run_hook() {
  if declare -F "${1}_$2" >/dev/null; then "${1}_$2"; fi
}

# up_one NAME: unless running: install what is missing and start; then wait
# until healthy and run the hooks.
up_one() {
  local name=$1 started=0 t0=$SECONDS port
  if is_running "$name"; then
    if "${name}_health" >/dev/null 2>&1; then
      run_hook "$name" ensure
      log "already running (pid $(svc_pid "$name")), healthy"
      return 0
    fi
    log "already running (pid $(svc_pid "$name")) but not healthy yet; waiting"
  else
    for port in $("${name}_ports"); do
      if port_open "$port"; then
        report_failure "$name" "port $port on 127.0.0.1 is already in use by a process services.sh did not start (override the port, see README)"
        return 1
      fi
    done
    local rc=0
    # set +e/-e: errexit would be ignored inside `( ... ) || ...`
    set +e
    ( set -e; "${name}_install" )
    rc=$?
    set -e
    if ((rc != 0)); then
      report_failure "$name" "install failed (rc=$rc), see messages above"
      return 1
    fi
    log "starting"
    set +e
    ( set -e; "${name}_start" )
    rc=$?
    set -e
    if ((rc != 0)); then
      # shellcheck disable=SC2046
      report_failure "$name" "start failed (rc=$rc)" $("${name}_logs")
      return 1
    fi
    started=1
  fi
  WAIT_REASON=""
  if ! wait_healthy "$name"; then
    # shellcheck disable=SC2046
    report_failure "$name" "$WAIT_REASON" $("${name}_logs")
    return 1
  fi
  ((started)) && run_hook "$name" post_start
  run_hook "$name" ensure
  log "healthy after $((SECONDS - t0))s"
}

# ---- commands ----------------------------------------------------------------
cmd_up() {
  local servers=("$@") s failed=() t0=$SECONDS
  take_lock
  ensure_pkgs curl:curl runuser:util-linux flock:util-linux setsid:util-linux
  # install + start + wait in parallel, one job per server (apt-get and mvn
  # runs are serialized by locks, see ensure_pkgs and mvn_locked in lib.sh)
  local statusdir launch=()
  statusdir=$(mktemp -d)
  # slowest first, so elasticsearch gets the maven lock before kafka
  for s in elasticsearch kafka "${servers[@]}"; do
    [[ " ${servers[*]} " == *" $s "* && " ${launch[*]} " != *" $s "* ]] && launch+=("$s")
  done
  for s in "${launch[@]}"; do
    (
      set +e
      ( set -e; up_one "$s" )
      echo $? >"$statusdir/$s"
    ) 2>&1 | sed -u "s/^/[$s] /" >&2 &
  done
  wait
  for s in "${servers[@]}"; do
    [[ $(cat "$statusdir/$s" 2>/dev/null) == 0 ]] || failed+=("$s")
  done
  rm -rf "$statusdir"
  if ((${#failed[@]})); then
    log ""
    log "!!! services.sh up FAILED for: ${failed[*]} (details above; logs under $LOCAL_DIR)"
    log "!!! the others were left running; 'bash infra/local/services.sh down' stops them"
    exit 1
  fi
  log "all up in $((SECONDS - t0))s:"
  for s in "${servers[@]}"; do endpoint_line "$s"; done
}

cmd_down() {
  local servers=("$@") s i pids=() rc=0
  take_lock
  for ((i = ${#servers[@]} - 1; i >= 0; i--)); do
    s=${servers[i]}
    if is_running "$s"; then
      ( set -e; "${s}_stop"; log "[$s] stopped" ) &
      pids+=($!)
    else
      log "[$s] not running"
    fi
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  return $rc
}

cmd_status() {
  local servers=("$@") s state pid bad=0
  for s in "${servers[@]}"; do
    if pid=$(svc_pid "$s" 2>/dev/null); then
      if "${s}_health" >/dev/null 2>&1; then state=healthy; else state=running; bad=1; fi
      printf '%-14s %-8s pid %-8s %s\n' "$s" "$state" "$pid" "$("${s}_endpoint")"
    else
      printf '%-14s %-8s %-12s %s\n' "$s" stopped "" "$("${s}_endpoint")"
      bad=1
    fi
  done
  return $bad
}

# ---- main --------------------------------------------------------------------
[[ $EUID -eq 0 ]] || die "must run as root (starts postgres/elasticsearch as their own users, may apt-get install)"
(($# >= 1)) || usage
cmd=$1; shift
if (($# == 0)); then
  set -- "${ALL_SERVERS[@]}"
else
  for s in "$@"; do
    [[ " ${ALL_SERVERS[*]} " == *" $s "* ]] || { log "unknown server: $s"; usage; }
  done
  # keep the canonical order whatever the order on the command line
  req=" $* "; set --
  for s in "${ALL_SERVERS[@]}"; do [[ $req == *" $s "* ]] && set -- "$@" "$s"; done
fi

trap 'rm -f "$_APT_STAMP"' EXIT
case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
