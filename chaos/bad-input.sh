#!/usr/bin/env bash
# Chaos suite 5: starts Redis, the local endpoint and `decomposer api --with-worker`,
# then fires chaos/bad_input.py at the API while normal traffic flows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product decomposer
bin=.build/debug/decomposer
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not ready: $1" >&2; return 1; }
redis_port=$(free_port); endpoint_port=$(free_port); api_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" &
pids+=($!)
export ENV_FILE=/nonexistent REDIS_URL="redis://127.0.0.1:$redis_port/0" UPLOADS_DIR="$work/uploads" RESULTS_DIR="$work/results"
"$bin" endpoint --host 127.0.0.1 --port "$endpoint_port" 2>"$work/endpoint.log" &
pids+=($!)
VERTEX_AI_API_ENDPOINT="http://127.0.0.1:$endpoint_port" VERTEX_AI_PROJECT_ID=local VERTEX_AI_ENDPOINT_ID=local \
  HOST=127.0.0.1 PORT=$api_port "$bin" api --with-worker 2>"$work/api.log" &
api_pid=$!
pids+=($api_pid)
wait_for "http://127.0.0.1:$api_port/readyz"
BASE_URL="http://127.0.0.1:$api_port" POSTER=assets/sample-poster.png python3 chaos/bad_input.py \
  || { tail -30 "$work/api.log" >&2; exit 1; }
kill -0 "$api_pid" || { echo "the API process died" >&2; exit 1; }
