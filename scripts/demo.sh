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

mkdir -p data/logs data/redis
stack_logs=$PWD/data/logs
source scripts/lib/stack.sh
port_or_free() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && free_port || echo "$1"; }

if [ -z "${REDIS_URL:-}" ]; then
  start_redis --dir "$PWD/data/redis" --appendonly yes --appendfsync everysec
  echo "Redis     private redis-server at $REDIS_URL (data in ./data/redis)"
fi
endpoint_port=$(port_or_free 8080)
start_endpoint
echo "Endpoint  local CPU endpoint on $VERTEX_AI_API_ENDPOINT (log: data/logs/endpoint.log)"
api_port=$(port_or_free "${PORT:-8000}")
start_api --with-worker
echo "API       $BASE_URL with an in-process worker (log: data/logs/api.log)"
echo

"$bin" submit "$poster" --layers "${LAYERS:-5}" --resolution "${RESOLUTION:-1024}" --api "$BASE_URL" \
  --out "data/$(basename "${poster%.*}")-layers"
echo
echo "The same poster again: answered by the result cache, no GPU call (CACHE_TTL_DAYS=0 turns it off)."
"$bin" submit "$poster" --layers "${LAYERS:-5}" --resolution "${RESOLUTION:-1024}" --api "$BASE_URL" \
  --out "data/$(basename "${poster%.*}")-layers-again"
echo
"$bin" cost-report --days 1
echo
echo "Web page  $BASE_URL/  (upload your own posters there)"
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop Redis, the endpoint and the API."
  wait "$api_pid"
fi
