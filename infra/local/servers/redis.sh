# shellcheck shell=bash
# Redis 7 (Debian package redis-server), daemonized, no persistence.
#   .local/redis/{redis.pid,redis.log}

_redis_dir() { printf '%s' "$LOCAL_DIR/redis"; }

redis_endpoint() { printf 'redis://127.0.0.1:%s' "$REDIS_PORT"; }
redis_ports()    { printf '%s\n' "$REDIS_PORT"; }
redis_timeout()  { printf '%s' "${REDIS_START_TIMEOUT:-30}"; }
redis_logs()     { printf '%s\n' "$(_redis_dir)/redis.log"; }

redis_pidfile() { printf '%s' "$(_redis_dir)/redis.pid"; }
redis_proc()    { printf '%s' redis-server; }  # must appear in the process command line

redis_install() {
  ensure_pkgs redis-server:redis-server redis-cli:redis-tools
}

redis_start() {
  local dir
  dir=$(_redis_dir)
  mkdir -p "$dir"
  rm -f "$dir/redis.pid"
  # shellcheck disable=SC2094  # early errors (before --logfile is open) land in the same log
  detached redis-server \
    --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --save '' --appendonly no >>"$dir/redis.log" 2>&1 ||
    die "redis-server failed to start"
}

redis_health() {
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null </dev/null) == PONG ]]
}

redis_stop() {
  local pid
  pid=$(svc_pid redis) || return 0
  stop_pid redis "$pid" redis-server TERM 30
}
