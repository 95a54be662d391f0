#!/usr/bin/env bash
# Chaos suite 4: deploy under load. Redis, two local endpoints — the usual one
# (300 ms added to each answer) and a slow one (10 s), each recording every
# request in its --request-log — the API (no worker), then chaos/deploy.py rolls
# the worker fleet three times: SIGTERM to every worker and new ones started at
# once, as a rolling deploy does. JOBS (default 60; the full suite is JOBS=200)
# sets the load. BUILD_DIR (default .build) is the build's scratch path.
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh
# The default 30 s lease: a job handed back on SIGTERM must be taken again at once, not after the lease.
# A 2 s grace: the slow endpoint's calls outlast it, so those jobs are handed back mid-call.
export JOB_LEASE_SECONDS=30 MAX_CONCURRENT_JOBS=4 SHUTDOWN_GRACE_SECONDS=2 LOG_DIR="$stack_logs"
export FAST_LOG="$stack_logs/fast-requests.jsonl" SLOW_LOG="$stack_logs/slow-requests.jsonl"
start_redis
start_endpoint --latency-ms 300 --request-log "$FAST_LOG"
export FAST_ENDPOINT=$VERTEX_AI_API_ENDPOINT FAST_PID=${stack_pids[-1]}
slow_port=$(free_port)
"$bin" endpoint --host 127.0.0.1 --port "$slow_port" --latency-ms 10000 --request-log "$SLOW_LOG" \
  2>"$stack_logs/slow-endpoint.log" &
stack_pids+=($!)
export SLOW_ENDPOINT="http://127.0.0.1:$slow_port" SLOW_PID=$!
wait_for "$SLOW_ENDPOINT/healthz"
start_api
DECOMPOSER="$bin" POSTER=assets/sample-poster.png python3 chaos/deploy.py \
  || { tail -n 20 "$stack_logs/api.log" >&2; exit 1; }
