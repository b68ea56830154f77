# shellcheck shell=bash
# NATS server 2.9 (Debian package nats-server) with JetStream.
#   .local/nats/jetstream/   JetStream store (nats-server appends "jetstream"
#                            to the -sd dir, so we pass -sd .local/nats)
#   .local/nats/{nats.pid,nats.log}

_nats_dir() { printf '%s' "$LOCAL_DIR/nats"; }

nats_endpoint() { printf 'nats://127.0.0.1:%s  (monitoring http://127.0.0.1:%s)' "$NATS_PORT" "$NATS_MONITOR_PORT"; }
nats_ports()    { printf '%s\n' "$NATS_PORT" "$NATS_MONITOR_PORT"; }
nats_timeout()  { printf '%s' "${NATS_START_TIMEOUT:-30}"; }
nats_logs()     { printf '%s\n' "$(_nats_dir)/nats.log"; }

nats_pidfile() { printf '%s' "$(_nats_dir)/nats.pid"; }
nats_proc()    { printf '%s' nats-server; }  # must appear in the process command line

nats_install() {
  ensure_pkgs nats-server:nats-server
}

nats_start() {
  local dir
  dir=$(_nats_dir)
  mkdir -p "$dir"
  rotate_log "$dir/nats.log"
  spawn "$dir/nats.pid" "$dir/nats.log" \
    nats-server -js -sd "$dir" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" \
    -l "$dir/nats.log"
}

nats_health() {
  # 2.9.10's /healthz says ok even without JetStream (js-enabled-only is not
  # honoured yet), so also require /jsz to report JetStream as not disabled.
  http_get "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" >/dev/null || return 1
  local jsz
  jsz=$(http_get "http://127.0.0.1:$NATS_MONITOR_PORT/jsz") || return 1
  [[ $jsz == *'"config"'* && $jsz != *'"disabled": true'* ]]
}

nats_stop() {
  local pid
  pid=$(svc_pid nats) || return 0
  stop_pid nats "$pid" nats-server TERM 30
  rm -f "$(_nats_dir)/nats.pid"
}
