# Sourced by the bench parts: a private redis-server and process figures.

source scripts/lib/free-port.sh
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# VmHWM: the peak resident set of a running process, in MiB.
peak_rss_mib() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# bench_redis: starts a non-persistent redis-server on a free port; sets
# bench_work (a temp dir removed on exit), redis_port, redis_pid; exports REDIS_URL.
bench_cleanup_pids=()
bench_cleanup() {
  for pid in "${bench_cleanup_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${bench_cleanup_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$bench_work"
}
bench_redis() {
  bench_work=$(mktemp -d)
  trap bench_cleanup EXIT
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$bench_work" \
    --logfile "$bench_work/redis.log" --maxclients 30000 &
  redis_pid=$!
  bench_cleanup_pids+=("$redis_pid")
  for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
}

# start_api BINARY: `BINARY api` on a free loopback port with the exported settings, stopped on exit;
# returns once /readyz answers. Sets started_api_port and started_api_pid.
start_api() {
  started_api_port=$(free_port)
  PORT=$started_api_port "$1" api 2>>"$bench_work/api.log" &
  started_api_pid=$!
  bench_cleanup_pids+=("$started_api_pid")
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$started_api_port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
}
# proc_cpu_us PID: user + system CPU of a process so far, in µs (/proc).
proc_cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000000 / hz}' "/proc/$1/stat"; }
# enqueued: jobs the bench queue has created so far (its lifetime counter).
enqueued() { redis-cli -p "$redis_port" HGET "{decomposer}:queue:stats" enqueued | awk '{print $1 + 0}'; }
