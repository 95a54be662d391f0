#!/usr/bin/env bash
# The web page in a real browser: starts a private redis-server, the local CPU
# endpoint and `decomposer api --with-worker`, then drives headless Chromium
# (Selenium) through Tests/Browser/web_page_test.py with the sample poster.
# The screenshot lands in .build/test-output/web-page.png.
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
start_redis
start_endpoint
start_api --with-worker
POSTER=assets/sample-poster.png SCREENSHOT="$PWD/$out/web-page.png" "$venv/bin/python" Tests/Browser/web_page_test.py \
  || { tail -20 "$stack_logs/api.log" >&2; exit 1; }
