#!/usr/bin/env bash
# The main job, locally, with no GPU and no cloud account: installs what is
# missing, builds, starts a private redis-server under ./data/redis (unless
# REDIS_URL is set), the local CPU endpoint, the API with a worker, then
# decomposes assets/sample-poster.png with a live progress bar and says where
# the layers are. From a terminal it then keeps serving the web page until
# Ctrl-C; otherwise it stops after the job. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product decomposer
bin=.build/debug/decomposer
poster=${POSTER:-assets/sample-poster.png}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port_or_free() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && free_port || echo "$1"; }
wait_for() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not ready: $1" >&2; return 1; }
mkdir -p data/logs

if [ -z "${REDIS_URL:-}" ]; then
  mkdir -p data/redis
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/data/redis" --appendonly yes \
    --appendfsync everysec --save "" --maxmemory-policy noeviction --logfile "$PWD/data/redis/redis.log" &
  pids+=($!)
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
  for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  echo "Redis     private redis-server on port $redis_port (data in ./data/redis)"
fi

endpoint_port=$(port_or_free 8080)
"$bin" endpoint --host 127.0.0.1 --port "$endpoint_port" 2>data/logs/endpoint.log &
pids+=($!)
wait_for "http://127.0.0.1:$endpoint_port/healthz"
echo "Endpoint  local CPU endpoint on http://127.0.0.1:$endpoint_port (log: data/logs/endpoint.log)"

api_port=$(port_or_free "${PORT:-8000}")
export HOST=127.0.0.1 PORT=$api_port
export VERTEX_AI_API_ENDPOINT="http://127.0.0.1:$endpoint_port" VERTEX_AI_PROJECT_ID=local VERTEX_AI_ENDPOINT_ID=local
"$bin" api --with-worker 2>data/logs/api.log &
pids+=($!)
wait_for "http://127.0.0.1:$api_port/readyz"
echo "API       http://127.0.0.1:$api_port with an in-process worker (log: data/logs/api.log)"
echo

"$bin" submit "$poster" --layers "${LAYERS:-5}" --resolution "${RESOLUTION:-1024}" --api "http://127.0.0.1:$api_port" \
  --out "data/$(basename "${poster%.*}")-layers"
echo
"$bin" cost-report --days 1
echo
echo "Web page  http://127.0.0.1:$api_port/  (upload your own posters there)"
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop Redis, the endpoint and the API."
  wait "${pids[-1]}"
fi
