# Sourced by the demo, the browser test and the chaos suites: starts the local
# services they need on free loopback ports and stops all of them on exit.
# Expects $bin (the decomposer binary); logs go to $stack_logs (default: a temp dir).
stack_work=$(mktemp -d)
stack_logs=${stack_logs:-$stack_work}
stack_pids=()
stack_stop() {
  for pid in "${stack_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${stack_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # A redis-server a chaos suite restarted is not our child; its pid file names it.
  local pid; pid=$(cat "$stack_work/redis.pid" 2>/dev/null) || true
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -rf "$stack_work"
}
trap stack_stop EXIT
trap 'exit 130' INT TERM

source scripts/lib/free-port.sh
wait_for() {
  for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "not ready: $1" >&2
  return 1
}

# start_redis [redis-server options]: a private, non-persistent redis-server
# (later options win, e.g. --dir and --appendonly for the demo); exports REDIS_URL,
# and REDIS_COMMAND (its command line, one argument a line) so a chaos suite can
# stop it and start it again on the same port with the same data.
start_redis() {
  local port; port=$(free_port)
  local command=(redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$stack_work"
    --logfile "$stack_logs/redis.log" --pidfile "$stack_work/redis.pid" --maxmemory-policy noeviction "$@")
  "${command[@]}" &
  stack_pids+=($!)
  export REDIS_URL="redis://127.0.0.1:$port/0"
  REDIS_COMMAND=$(printf '%s\n' "${command[@]}")
  export REDIS_COMMAND
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "redis-server did not start (see $stack_logs/redis.log)" >&2
  return 1
}

# start_endpoint [endpoint flags]: the local CPU endpoint on $endpoint_port (free
# by default); exports what a worker needs to call it.
start_endpoint() {
  endpoint_port=${endpoint_port:-$(free_port)}
  "$bin" endpoint --host 127.0.0.1 --port "$endpoint_port" "$@" 2>"$stack_logs/endpoint.log" &
  stack_pids+=($!)
  export VERTEX_AI_API_ENDPOINT="http://127.0.0.1:$endpoint_port" VERTEX_AI_PROJECT_ID=local VERTEX_AI_ENDPOINT_ID=local
  wait_for "$VERTEX_AI_API_ENDPOINT/healthz"
}

# start_api [api flags]: `decomposer api` on $api_port (free by default); sets api_pid, exports BASE_URL.
start_api() {
  api_port=${api_port:-$(free_port)}
  HOST=127.0.0.1 PORT=$api_port "$bin" api "$@" 2>"$stack_logs/api.log" &
  api_pid=$!
  stack_pids+=($api_pid)
  export BASE_URL="http://127.0.0.1:$api_port"
  wait_for "$BASE_URL/readyz"
}
