# shellcheck shell=bash
# Prometheus 2.42 (Debian package prometheus), scraping the platform services
# as configured in monitoring/prometheus/prometheus.local.yml, which also loads the
# recording and alert rules in monitoring/prometheus/rules/ (checked with the config below).
# Started with --web.enable-lifecycle: after changing the config or the rules,
# `curl -X POST http://127.0.0.1:9090/-/reload` applies them without a restart.
#   .local/prometheus/data/   TSDB
#   .local/prometheus/{prometheus.pid,prometheus.log}

PROMETHEUS_CONFIG="$REPO_ROOT/monitoring/prometheus/prometheus.local.yml"

_prom_dir() { printf '%s' "$LOCAL_DIR/prometheus"; }

prometheus_endpoint() { printf 'http://127.0.0.1:%s' "$PROMETHEUS_PORT"; }
prometheus_ports()    { printf '%s\n' "$PROMETHEUS_PORT"; }
prometheus_timeout()  { printf '%s' "${PROMETHEUS_START_TIMEOUT:-30}"; }
prometheus_logs()     { printf '%s\n' "$(_prom_dir)/prometheus.log"; }

prometheus_pidfile() { printf '%s' "$(_prom_dir)/prometheus.pid"; }
prometheus_proc()    { printf '%s' prometheus; }  # must appear in the process command line

prometheus_install() {
  ensure_pkgs prometheus:prometheus promtool:prometheus
}

prometheus_start() {
  local dir
  dir=$(_prom_dir)
  mkdir -p "$dir/data"
  [[ -f $PROMETHEUS_CONFIG ]] || die "missing $PROMETHEUS_CONFIG"
  promtool check config "$PROMETHEUS_CONFIG" >/dev/null 2>&1 ||
    die "promtool check config failed for $PROMETHEUS_CONFIG: $(promtool check config "$PROMETHEUS_CONFIG" 2>&1 | tail -n 5)"
  rotate_log "$dir/prometheus.log"
  spawn "$dir/prometheus.pid" "$dir/prometheus.log" \
    prometheus --config.file="$PROMETHEUS_CONFIG" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
}

prometheus_health() {
  http_get "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null
}

prometheus_stop() {
  local pid
  pid=$(svc_pid prometheus) || return 0
  stop_pid prometheus "$pid" prometheus TERM 30
  rm -f "$(_prom_dir)/prometheus.pid"
}
