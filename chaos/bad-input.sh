#!/usr/bin/env bash
# Chaos suite 5: starts Redis, the local endpoint and `decomposer api --with-worker`,
# then fires chaos/bad_input.py at the API while normal traffic flows.
set -euo pipefail
cd "$(dirname "$0")/.."
source chaos/lib.sh
start_redis
start_endpoint
start_api --with-worker
POSTER=assets/sample-poster.png python3 chaos/bad_input.py || { tail -30 "$stack_logs/api.log" >&2; exit 1; }
kill -0 "$api_pid" || { echo "the API process died" >&2; exit 1; }
