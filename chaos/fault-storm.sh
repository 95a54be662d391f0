#!/usr/bin/env bash
# Chaos suite 3: Redis, the local endpoint misbehaving on purpose (30% 429 with
# Retry-After 1, 10% 503, 5% hangs well past the workers' 3 s timeout, 5%
# malformed bodies; every request recorded in its --request-log), the API (no
# worker), then chaos/fault_storm.py runs three workers through the jobs.
# JOBS (default 60; the full suite is JOBS=200) sets the load, SEED the fault
# schedule. BUILD_DIR (default .build) is the build's scratch path.
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh
export MAX_CONCURRENT_JOBS=4 LOG_DIR="$stack_logs"
# A short per-call timeout (hangs last 15 s; a normal answer takes well under a second) and short backoff.
export VERTEX_AI_TIMEOUT=3 MAX_RETRIES=3 RETRY_BASE_DELAY=0.5 RETRY_MAX_DELAY=4
export REQUEST_LOG="$stack_logs/requests.jsonl" RETRY_AFTER=1
start_redis
start_endpoint --latency-ms 50-150 --rate-limit-probability 0.3 --retry-after "$RETRY_AFTER" \
  --unavailable-probability 0.1 --hang-probability 0.05 --hang-seconds 15 --malformed-probability 0.05 \
  --seed "${SEED:-1}" --request-log "$REQUEST_LOG"
export ENDPOINT_PID=${stack_pids[-1]}
start_api
DECOMPOSER="$bin" python3 chaos/fault_storm.py \
  || { tail -n 20 "$stack_logs/api.log" >&2; exit 1; }
