#!/usr/bin/env bash
# The web page in a real browser: starts a private redis-server, the local CPU
# endpoint, `decomposer api` and one `decomposer worker` (MAX_CONCURRENT_JOBS=1)
# whose endpoint calls go through a gate the test opens call by call (so a job
# stays queued behind a busy worker for as long as the test looks at it), then
# drives headless Chromium (Selenium) through Tests/Browser/web_page_test.py
# with the sample poster; then the admin page (Tests/Browser/admin_page_test.py, ADMIN_API_KEY set),
# whose own gate on the same port fails calls until it lets them through. The screenshots land
# in .build/test-output/web-page.png and admin-page.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh chromium chromium-driver
venv=.build/browser-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import selenium' 2>/dev/null || "$venv/bin/pip" install -q selenium
swift build --product decomposer
bin=.build/debug/decomposer
out=.build/test-output
mkdir -p "$out"
source scripts/lib/stack.sh
export ENV_FILE=/nonexistent UPLOADS_DIR="$stack_work/uploads" RESULTS_DIR="$stack_work/results"
# The page's jobs reuse one poster and count the endpoint's calls: the result cache stays off.
export CACHE_TTL_DAYS=0
export ADMIN_API_KEY=browser-test-admin-key
export GCE_METADATA_HOST="127.0.0.1:$(free_port)"
start_redis
start_endpoint
start_api
# The worker calls the endpoint through the test's gate (GATE_PORT, served by the test itself).
gate_port=$(free_port)
worker_port=$(free_port)
HOST=127.0.0.1 WORKER_PORT=$worker_port MAX_CONCURRENT_JOBS=1 VERTEX_AI_API_ENDPOINT="http://127.0.0.1:$gate_port" "$bin" worker 2>"$stack_logs/worker.log" &
stack_pids+=($!)
wait_for "http://127.0.0.1:$worker_port/readyz"
GATE_PORT=$gate_port UPSTREAM="$VERTEX_AI_API_ENDPOINT" POSTER=assets/sample-poster.png \
  SCREENSHOT="$PWD/$out/web-page.png" "$venv/bin/python" Tests/Browser/web_page_test.py \
  || { tail -20 "$stack_logs/api.log" "$stack_logs/worker.log" >&2; exit 1; }
GATE_PORT=$gate_port UPSTREAM="$VERTEX_AI_API_ENDPOINT" POSTER=assets/sample-poster.png \
  SCREENSHOT="$PWD/$out/admin-page.png" "$venv/bin/python" Tests/Browser/admin_page_test.py \
  || { tail -20 "$stack_logs/api.log" "$stack_logs/worker.log" >&2; exit 1; }
