#!/usr/bin/env bash
# Chaos suite 2: Redis with AOF (appendonly yes, appendfsync everysec), the local
# endpoint (200 ms per answer), the API (no worker), then chaos/redis_restart.py
# starts three workers and, in the middle of the jobs, stops Redis for 5 s and
# starts it again on the same port and data. JOBS (default 300, the full suite;
# JOBS=40 is the short one) sets the load; REDIS_STOP=kill stops Redis with
# SIGKILL instead of SIGTERM. BUILD_DIR (default .build) is the build's scratch path.
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh
# Leases (the default 30 s) outlast the outage: workers must ride it out, not lose their jobs.
export JOB_LEASE_SECONDS=30 MAX_CONCURRENT_JOBS=4 LOG_DIR="$stack_logs"
mkdir -p "$stack_work/redis"
start_redis --dir "$stack_work/redis" --appendonly yes --appendfsync everysec
start_endpoint --latency-ms 200
start_api
DECOMPOSER="$bin" API_PID="$api_pid" POSTER=assets/sample-poster.png python3 chaos/redis_restart.py \
  || { tail -n 20 "$stack_logs/api.log" >&2; exit 1; }
