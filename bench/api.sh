#!/usr/bin/env bash
# The API part of bench/run.sh (run alone, it prints its figures): a release
# `decomposer api` and a private redis-server on loopback, with wrk on the same
# machine (so the figures include its CPU):
#   http ceiling GET /healthz, 64 connections: what the HTTP stack alone serves here
#   enqueue      POST /api/decompose, 64 connections; CPU µs per job of the API and of Redis
#   status       GET /api/jobs/{id}, 64 connections
#   upload       5 MB posters, 16 connections: MB/s and the API's RSS before/peak/after
#   ceiling      redis-benchmark of a script call shaped like enqueue, and of PING; the
#                Redis client's own round trips/s (64 tasks sending PING through RedisClient);
#                the queue's own enqueue rate without HTTP and the script's time in Redis
#   job listing  JobQueue.listJobs per status over 100,000 finished jobs
#   cold start   exec of `decomposer api` until /readyz is 200 (median of 10); idle RSS of api and worker
#   watchers     WebSocket delivery latency from a job update to N watchers, and the API's RSS;
#                the realistic shape (N running jobs, one watcher each, each updated once a second)
#                on a fresh API, with its RSS idle and with N idle watchers
# DURATION (seconds per wrk run, default 20), WATCHER_RUNS (watchers:interval-ms:updates,
# default "1000:100:50 10000:1000:20 10000:100:50") and WATCHER_JOBS (jobs:seconds, default
# "10000:10"; "" skips it).
# Expects release builds in $SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || scripts/install-deps.sh wrk
duration=${DURATION:-20}
bin="${SCRATCH_PATH:-.build}/release"
source bench/lib.sh
# One descriptor per watcher, in the API and in the client.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_redis

export HOST=127.0.0.1 PORT=$(free_port) ENV_FILE=/nonexistent LOG_LEVEL=warning
export UPLOADS_DIR="$bench_work/uploads" RESULTS_DIR="$bench_work/results" MAX_QUEUE_DEPTH=10000000
# One poster reused on purpose: the result cache stays off.
export CACHE_TTL_DAYS=0
"$bin/decomposer" api 2>"$bench_work/api.log" &
api_pid=$!
bench_cleanup_pids+=("$api_pid")
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 200); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.05; done

# Runs wrk and prints `<name>_req_per_s`, `_p50`, `_p99` and any non-2xx count.
wrk_figures() {
  local name=$1; shift
  local out; out=$(wrk --latency "$@")
  echo "$out" >&2
  echo "$out" | awk -v n="$name" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { printf "%s_req_per_s: %.0f req/s\n", n, $2 }
    $1 == "50%" { printf "%s_p50: %.2f ms\n", n, ms($2) }
    $1 == "99%" { printf "%s_p99: %.2f ms\n", n, ms($2) }
    /Non-2xx/ { printf "%s_non_2xx: %d responses\n", n, $NF }'
}
# sample_rss PID FILE: appends the RSS (KiB) of PID to FILE every 0.2 s until killed.
sample_rss() { while kill -0 "$1" 2>/dev/null; do rss_kib "$1" >>"$2"; sleep 0.2; done; }

exec 3>&1
exec > >(tee "$bench_work/figures")
"$bin/decomposer-bench" poster --megabytes 5 --out "$bench_work/poster.jpg" >&2
file_id=$(curl -fs -F "file=@$bench_work/poster.jpg" "$base/api/upload" | python3 -c 'import json,sys; print(json.load(sys.stdin)["file_id"])')
echo "api_idle_rss: $(( $(rss_kib "$api_pid") / 1024 )) MiB"

wrk_figures healthz -t2 -c64 -d"${duration}s" "$base/healthz"
# The enqueue run's CPU per job (created jobs counted by the queue): the API process's
# (user + system, /proc) and Redis's main thread's (INFO cpu), beside its req/s.
redis_cpu_us() { redis-cli -p "$redis_port" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user)_main_thread:/ {s += $2} END {printf "%.0f", s * 1e6}'; }
read -r api_cpu0 redis_cpu0 jobs0 <<<"$(proc_cpu_us "$api_pid") $(redis_cpu_us) $(enqueued)"
FILE_ID=$file_id wrk_figures enqueue -t2 -c64 -d"${duration}s" -s bench/wrk/decompose.lua "$base/api/decompose"
read -r api_cpu1 redis_cpu1 jobs1 <<<"$(proc_cpu_us "$api_pid") $(redis_cpu_us) $(enqueued)"
awk -v a=$((api_cpu1 - api_cpu0)) -v r=$((redis_cpu1 - redis_cpu0)) -v n=$((jobs1 - jobs0)) 'BEGIN { if (n > 0) {
  printf "enqueue_api_cpu_per_job: %.1f us\nenqueue_redis_cpu_per_job: %.1f us\n", a / n, r / n } }'
job_id=$(curl -fs -H 'Content-Type: application/json' -d "{\"file_id\":\"$file_id\"}" "$base/api/decompose" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
wrk_figures status -t2 -c64 -d"${duration}s" "$base/api/jobs/$job_id"

before=$(rss_kib "$api_pid")
sample_rss "$api_pid" "$bench_work/upload-rss" &
sampler=$!
upload_out=$(POSTER_PATH=$bench_work/poster.jpg wrk -t2 -c16 -d"${duration}s" -s bench/wrk/upload.lua "$base/api/upload")
kill "$sampler" 2>/dev/null || true
echo "$upload_out" >&2
size=$(stat -c %s "$bench_work/poster.jpg")
echo "$upload_out" | awk -v size="$size" '/Requests\/sec/ { printf "upload_5mb_per_s: %.1f uploads/s\nupload_mb_per_s: %.1f MB/s\n", $2, $2 * size / 1e6 }'
echo "upload_api_rss_before: $(( before / 1024 )) MiB"
echo "upload_api_rss_peak: $(( $(sort -n "$bench_work/upload-rss" | tail -1) / 1024 )) MiB"
echo "upload_api_rss_after: $(( $(rss_kib "$api_pid") / 1024 )) MiB"
rm -rf "$UPLOADS_DIR" 2>/dev/null || true

# The ceiling on this machine: redis-benchmark of a script call with the enqueue
# script's shape (9 keys — the seven common queue keys, the job's hash and stream —, 12
# arguments, a hash, a read of the hold, two list pushes, a stream entry and a publish) and
# of PING, so the enqueue figure means something on any machine.
ceiling_script='redis.call("HSET", KEYS[8] .. ARGV[1], "id", ARGV[1], "file_id", ARGV[2], "status", "queued"); redis.call("GET", KEYS[7]); redis.call("LPUSH", KEYS[1], ARGV[1]); redis.call("LPUSH", KEYS[4], "1"); redis.call("LTRIM", KEYS[1], 0, 999); redis.call("LTRIM", KEYS[4], 0, 0); redis.call("XADD", KEYS[9], "MAXLEN", "~", "256", "*", "job", ARGV[3]); redis.call("PUBLISH", KEYS[5], ARGV[3]); return 1'
eval_rps=$(redis-benchmark -p "$redis_port" -c 64 -n 200000 -q EVAL "$ceiling_script" 9 \
  "{b}:wait" "{b}:active" "{b}:delayed" "{b}:marker" "{b}:events" "{b}:stats" "{b}:hold" "{b}:job" "{b}:job:events" \
  __rand_int__ file-id '{"status":"queued","progress":"0"}' 4 5 6 7 8 9 10 11 12 2>/dev/null | tr '\r' '\n' \
  | awk '/requests per second/ {for (i=1;i<=NF;i++) if ($i == "requests") print $(i-1)}' | tail -1 || true)
ping_rps=$(redis-benchmark -p "$redis_port" -c 64 -n 200000 -q -t ping_mbulk 2>/dev/null | tr '\r' '\n' \
  | awk '/requests per second/ {for (i=1;i<=NF;i++) if ($i == "requests") print $(i-1)}' | tail -1 || true)
enqueue_rps=$(awk '/^enqueue_req_per_s/ {print $2}' "$bench_work/figures" || true)
echo "redis_eval_enqueue_shape_req_per_s: ${eval_rps:-0} req/s"
echo "redis_ping_req_per_s: ${ping_rps:-0} req/s"
healthz_rps=$(awk '/^healthz_req_per_s/ {print $2}' "$bench_work/figures" || true)
awk -v e="$enqueue_rps" -v c="$eval_rps" -v p="$ping_rps" -v h="$healthz_rps" 'BEGIN {
  if (c > 0) printf "enqueue_fraction_of_eval_ceiling: %.2f x\n", e / c
  if (p > 0) printf "enqueue_fraction_of_ping_ceiling: %.2f x\n", e / p
  if (h > 0) printf "enqueue_fraction_of_http_ceiling: %.2f x\n", e / h }'
"$bin/decomposer-bench" redis-client --clients 64 --seconds 5
redis-cli -p "$redis_port" DEL "{b}:wait" "{b}:marker" >/dev/null
# The queue's own ceiling: JobQueue.enqueue from 64 tasks, no HTTP (what the API could reach
# with a free HTTP stack), and the enqueue script's time in Redis per call. Five alternated rounds
# of each script: a script's time is Redis's wall time inside it, which a preempted Redis inflates
# (single runs of three rounds gave 0.32–0.78 for the same code), and the ratio takes the medians.
queue_figures=$("$bin/decomposer-bench" enqueue-script --clients 64 --seconds 4 --rounds 5)
echo "$queue_figures"
queue_rps=$(awk '/^enqueue_script_c64_per_s/ {print $2}' <<<"$queue_figures")
awk -v e="$enqueue_rps" -v q="$queue_rps" 'BEGIN { if (q > 0) printf "enqueue_fraction_of_queue_ceiling: %.2f x\n", e / q }'
# Queue positions: the watch hub's once-a-second work with 10,000 queued and 1,000 watched (~2 s).
"$bin/decomposer-bench" positions --queued 10000 --watched 1000
# Job listing: `decomposer jobs list` / the admin API's work over 100,000 finished jobs (~10 s with the load).
"$bin/decomposer-bench" job-listing --jobs 100000

# Cold start: exec of `decomposer api` until /readyz answers 200, median of 10; idle RSS.
starts=()
for _ in $(seq 1 10); do
  cold_port=$(free_port)
  begin=$(date +%s%N)
  PORT=$cold_port "$bin/decomposer" api 2>/dev/null &
  cold_pid=$!
  until curl -fs "http://127.0.0.1:$cold_port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  starts+=($(( ($(date +%s%N) - begin) / 1000000 )))
  sleep 0.3
  cold_rss=$(rss_kib "$cold_pid")
  kill "$cold_pid"; wait "$cold_pid" 2>/dev/null || true
done
echo "api_cold_start_median: $(printf '%s\n' "${starts[@]}" | sort -n | sed -n 5p) ms"
echo "api_idle_rss_fresh: $(( cold_rss / 1024 )) MiB"
VERTEX_AI_API_ENDPOINT=http://127.0.0.1:9 VERTEX_AI_PROJECT_ID=p VERTEX_AI_ENDPOINT_ID=e "$bin/decomposer" worker 2>/dev/null &
worker_pid=$!
sleep 2
echo "worker_idle_rss: $(( $(rss_kib "$worker_pid") / 1024 )) MiB"
kill "$worker_pid"; wait "$worker_pid" 2>/dev/null || true

# The realistic shape: N running jobs with one watcher each, every job updated once a second
# through the queue's progress path (N messages/s through Redis pub/sub), the client in its own
# process. On a fresh API: its RSS with no watcher and with N idle ones is what a watcher costs.
watcher_jobs=${WATCHER_JOBS-"10000:10"}
if [ -n "$watcher_jobs" ]; then
  IFS=: read -r jobs seconds <<<"$watcher_jobs"
  redis-cli -p "$redis_port" FLUSHALL >/dev/null
  start_api "$bin/decomposer"
  fresh_port=$started_api_port fresh_pid=$started_api_pid
  rm -f "$bench_work/watch-rss"
  sample_rss "$fresh_pid" "$bench_work/watch-rss" &
  sampler=$!
  echo "\$ decomposer-bench watchers-jobs --jobs $jobs --seconds $seconds" >&2
  "$bin/decomposer-bench" watchers-jobs --api "http://127.0.0.1:$fresh_port" --jobs "$jobs" --seconds "$seconds" \
    --api-pid "$fresh_pid"
  kill "$sampler" 2>/dev/null || true
  echo "watchers_jobs_api_rss_peak: $(( $(sort -n "$bench_work/watch-rss" | tail -1) / 1024 )) MiB"
  kill "$fresh_pid"; wait "$fresh_pid" 2>/dev/null || true
  sleep 3
fi

# WebSocket fan-out. A fresh queue each time, so the watched job is the next one claimed.
# 1,000 watchers get an update every 100 ms (10,000 messages/s); 10,000 watchers one a
# second, the rate of a running job's elapsed-time updates — and, to show where the fan-out
# saturates on this machine, also every 100 ms (100,000 messages/s).
watcher_runs=${WATCHER_RUNS:-"1000:100:50 10000:1000:20 10000:100:50"}
for run in $watcher_runs; do
  IFS=: read -r count interval updates <<<"$run"
  name="watchers_${count}_every_${interval}ms"
  redis-cli -p "$redis_port" FLUSHALL >/dev/null
  rm -f "$bench_work/watch-rss"
  sample_rss "$api_pid" "$bench_work/watch-rss" &
  sampler=$!
  echo "\$ decomposer-bench watchers --watchers $count --interval-ms $interval --updates $updates" >&2
  "$bin/decomposer-bench" watchers --api "$base" --watchers "$count" --interval-ms "$interval" --updates "$updates" --api-pid "$api_pid" \
    | sed "s/^watchers_/${name}_/"
  kill "$sampler" 2>/dev/null || true
  echo "${name}_api_rss_peak: $(( $(sort -n "$bench_work/watch-rss" | tail -1) / 1024 )) MiB"
  # Let the closed connections drain before the next run.
  sleep 3
done
echo "api_peak_rss: $(peak_rss_mib "$api_pid") MiB"
echo "api_part_redis_peak_rss: $(peak_rss_mib "$redis_pid") MiB"
exec >&3
