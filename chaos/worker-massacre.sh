#!/usr/bin/env bash
# Chaos suite 1: Redis, the local endpoint (200 ms per answer), the API (no
# worker), then chaos/worker_massacre.py kills a random worker every 2 s and
# starts another. JOBS (default 60; the full suite is JOBS=300) sets the load.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product decomposer
bin=$PWD/.build/debug/decomposer
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
export VERTEX_AI_API_ENDPOINT="http://127.0.0.1:$endpoint_port" VERTEX_AI_PROJECT_ID=local VERTEX_AI_ENDPOINT_ID=local
# Short leases, so a killed worker's job is recovered within seconds.
export JOB_LEASE_SECONDS=3 MAX_CONCURRENT_JOBS=4 LOG_DIR="$work"
# Workers are killed from outside here, not by the jobs: let a job be taken back often.
export MAX_RECOVERIES=100
"$bin" endpoint --host 127.0.0.1 --port "$endpoint_port" --latency-ms 200 2>"$work/endpoint.log" &
pids+=($!)
HOST=127.0.0.1 PORT=$api_port "$bin" api 2>"$work/api.log" &
pids+=($!)
wait_for "http://127.0.0.1:$api_port/readyz"
BASE_URL="http://127.0.0.1:$api_port" DECOMPOSER="$bin" POSTER=assets/sample-poster.png python3 chaos/worker_massacre.py \
  || { tail -n 20 "$work"/api.log >&2; exit 1; }
