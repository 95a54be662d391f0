#!/usr/bin/env bash
# The worker part of bench/run.sh (run alone, it prints its figures): each
# decomposer-bench case in its own process against a private redis-server.
# Expects release builds in $SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${SCRATCH_PATH:-.build}/release/decomposer-bench"
source bench/lib.sh
bench_redis

run() { echo "\$ decomposer-bench $*" >&2; timeout 300 "$bench" "$@"; }
# The pipeline cases keep their files until the end (see file-create in bench/README.md).
files="$bench_work/files"
run file-create --dir "$files"
run prepare
run validate
run validate --shape photo
run pipeline --latency-ms 0 --concurrency 1 --jobs 30 --files "$files"
run pipeline --latency-ms 0 --concurrency 4 --jobs 60 --files "$files"
run pipeline --latency-ms 0 --concurrency 16 --jobs 80 --files "$files"
run pipeline --latency-ms 500 --concurrency 16 --jobs 320 --files "$files"
run pipeline --latency-ms 500 --concurrency 16 --jobs 320 --distinct-uploads 1 --files "$files"
# The reference system's shape: photo-like layers (noise), a 4.3 MB reply, 400 jobs.
run pipeline --latency-ms 500 --concurrency 16 --jobs 400 --shape photo --files "$files"
taskset -c 0 true 2>/dev/null && one_core="taskset -c 0" || one_core=""
echo "\$ $one_core decomposer-bench decompose (local endpoint, one core)" >&2
timeout 300 $one_core "$bench" decompose
# The PSD export of 10 layers of 2048 × 2048: build time and peak RSS (bounded by one layer).
run psd --side 2048 --layers 10
echo "worker_part_redis_peak_rss: $(peak_rss_mib "$redis_pid") MiB"
