#!/usr/bin/env bash
# bench/compare-enqueue.sh BINARY... — the API's own CPU per enqueue of several `decomposer`
# builds, measured alternately on one machine (give them in turn: OLD NEW OLD NEW …): each gets a
# fresh queue on the same private redis-server, a 1 MB poster, a 3 s warm-up and DURATION s (default
# 20) of `wrk -c64` on POST /api/decompose; prints per run the API process's user + system CPU per
# created job (/proc), req/s, p50 and p99. Issue 23's "API CPU per enqueue ≤ 0.67 × today's" is
# this ratio (bench/README.md); run.sh measures only the current build (`enqueue_api_cpu_per_job`).
# An old build: `git worktree add /tmp/old REV && swift build -c release --package-path /tmp/old`.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: bench/compare-enqueue.sh BINARY..." >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || scripts/install-deps.sh wrk
source bench/lib.sh
bench_redis
export HOST=127.0.0.1 ENV_FILE=/nonexistent LOG_LEVEL=warning MAX_QUEUE_DEPTH=10000000 CACHE_TTL_DAYS=0
export UPLOADS_DIR="$bench_work/uploads" RESULTS_DIR="$bench_work/results"
"${SCRATCH_PATH:-.build}/release/decomposer-bench" poster --megabytes 1 --out "$bench_work/poster.jpg" >&2
for bin in "$@"; do
  redis-cli -p "$redis_port" FLUSHALL >/dev/null
  start_api "$bin"
  port=$started_api_port pid=$started_api_pid
  file_id=$(curl -fs -F "file=@$bench_work/poster.jpg" "http://127.0.0.1:$port/api/upload" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["file_id"])')
  FILE_ID=$file_id wrk -t2 -c64 -d3s -s bench/wrk/decompose.lua "http://127.0.0.1:$port/api/decompose" >/dev/null
  read -r cpu0 jobs0 <<<"$(proc_cpu_us "$pid") $(enqueued)"
  out=$(FILE_ID=$file_id wrk --latency -t2 -c64 -d"${DURATION:-20}s" -s bench/wrk/decompose.lua "http://127.0.0.1:$port/api/decompose")
  read -r cpu1 jobs1 <<<"$(proc_cpu_us "$pid") $(enqueued)"
  echo "$out" | awk -v bin="$bin" -v cpu=$((cpu1 - cpu0)) -v jobs=$((jobs1 - jobs0)) '
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    END { printf "%s: %.1f us API CPU per enqueue, %.0f req/s, p50 %s, p99 %s\n", bin, cpu / jobs, rps, p50, p99 }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
