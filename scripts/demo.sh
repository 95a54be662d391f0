#!/usr/bin/env bash
# The main job, locally: installs what is missing, builds, starts a private
# redis-server under ./data/redis (unless REDIS_URL is set), and runs the
# parts of the service that exist. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product decomposer
bin=.build/debug/decomposer

redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

if [ -z "${REDIS_URL:-}" ]; then
  mkdir -p data/redis
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  redis-server --port "$port" --bind 127.0.0.1 --dir "$PWD/data/redis" --appendonly yes \
    --appendfsync everysec --save "" --maxmemory-policy noeviction --logfile "$PWD/data/redis/redis.log" &
  redis_pid=$!
  export REDIS_URL="redis://127.0.0.1:$port/0"
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.05
  done
  echo "Started a private redis-server on port $port (data in ./data/redis)"
fi

"$bin" doctor
"$bin" cleanup --older-than "${CLEANUP_AGE:-7d}" --dry-run
