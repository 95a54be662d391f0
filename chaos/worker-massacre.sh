#!/usr/bin/env bash
# Chaos suite 1: Redis, the local endpoint (200 ms per answer), the API (no
# worker), then chaos/worker_massacre.py kills a random worker every 2 s and
# starts another. JOBS (default 60; the full suite is JOBS=300) sets the load.
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh
# Short leases, so a killed worker's job is recovered within seconds.
export JOB_LEASE_SECONDS=3 MAX_CONCURRENT_JOBS=4 LOG_DIR="$stack_logs"
# Workers are killed from outside here, not by the jobs: let a job be taken back often.
export MAX_RECOVERIES=100
start_redis
start_endpoint --latency-ms 200
start_api
DECOMPOSER="$bin" POSTER=assets/sample-poster.png python3 chaos/worker_massacre.py \
  || { tail -n 20 "$stack_logs/api.log" >&2; exit 1; }
