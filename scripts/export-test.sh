#!/usr/bin/env bash
# The exports read by tools that are not the project's: starts a private redis-server, the local
# CPU endpoint and `decomposer api --with-worker` (with an API_KEY, as a deployment has), runs
# `decomposer submit --format zip --format pptx` on the sample poster, then
# Tests/Exports/export_check.py checks the files (zipfile and `unzip -t`; python-pptx 1.0.2 from
# PyPI in .build/export-venv; a LibreOffice render against the layers' composite). About 15 s;
# EXPORT_RESOLUTION=1024 checks a full-size poster (default 640).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
venv=.build/export-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import pptx, PIL; assert pptx.__version__ == "1.0.2"' 2>/dev/null \
  || "$venv/bin/pip" install -q "python-pptx==1.0.2" "pillow==11.3.0"
swift build --product decomposer
bin=.build/debug/decomposer
source scripts/lib/stack.sh
export ENV_FILE=/nonexistent UPLOADS_DIR="$stack_work/uploads" RESULTS_DIR="$stack_work/results"
export API_KEY="export-test-$RANDOM" CACHE_TTL_DAYS=0
export GCE_METADATA_HOST="127.0.0.1:$(free_port)"
start_redis
start_endpoint
start_api --with-worker
out="$stack_work/out"
"$bin" submit assets/sample-poster.png --layers 4 --resolution "${EXPORT_RESOLUTION:-640}" --api "$BASE_URL" \
  --out "$out" --format zip --format pptx --format psd \
  || { tail -20 "$stack_logs/api.log" >&2; exit 1; }
"$venv/bin/python" Tests/Exports/export_check.py "$out"
# The PSD the route served, read by psd-tools against the layers submit downloaded (scripts/psd-test.sh,
# which runs first in scripts/test.sh, makes the venv).
psd_venv=.build/psd-venv
if [ -x "$psd_venv/bin/python" ]; then
  layers=()
  for i in 0 1 2 3; do layers+=(--layer "Layer $i" "$out/layer_$i.png"); done
  "$psd_venv/bin/python" scripts/psd-check.py "$out"/*.psd "${layers[@]}"
else
  echo "export-test: the served PSD not read by psd-tools ($psd_venv missing: run scripts/psd-test.sh first)"
fi
