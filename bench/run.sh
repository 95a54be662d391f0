#!/usr/bin/env bash
# Benchmarks: release build, a private redis-server on loopback, each case in
# its own process. Prints `name: value unit` lines and writes bench/RESULTS.md.
# Bounded: about two minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# SCRATCH_PATH: another build folder (e.g. while someone else builds in .build).
scratch="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product decomposer-bench
bench="$scratch/release/decomposer-bench"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
data=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$data" --logfile "$data/redis.log" &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true; wait $redis_pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
export REDIS_URL="redis://127.0.0.1:$port/0"

out=$(mktemp)
run() { echo "\$ decomposer-bench $*" >&2; timeout 300 "$bench" "$@" | tee -a "$out"; }
run prepare
run validate
run pipeline --latency-ms 0 --concurrency 1 --jobs 30
run pipeline --latency-ms 0 --concurrency 4 --jobs 60
run pipeline --latency-ms 0 --concurrency 16 --jobs 80
run pipeline --latency-ms 500 --concurrency 16 --jobs 320
run pipeline --latency-ms 500 --concurrency 16 --jobs 320 --distinct-uploads 1
taskset -c 0 true 2>/dev/null && one_core="taskset -c 0" || one_core=""
echo "\$ $one_core decomposer-bench decompose (local endpoint, one core)" >&2
timeout 300 $one_core "$bench" decompose | tee -a "$out"

{
  echo "# Benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1)"
  echo "- load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Cases (see Sources/Benchmarks/main.swift): image preparation of a 3000×4000 JPEG poster; decoding and"
  echo "validating a response of 5 RGBA 1024×1024 PNG layers; the worker pipeline (real Redis, real HTTP to an"
  echo "in-process endpoint returning 5×1024² PNG layers) at concurrency 1, 4 and 16 with a zero-latency endpoint, and"
  echo "at concurrency 16 with a 500 ms endpoint (ideal: 32 jobs/s; target ≥ 0.95 of it). Every job uses the same upload,"
  echo "so the worker prepares it once (its cache of prepared images); the \`_distinct\` case gives each job its own"
  echo "upload, so every job prepares its image. \`decompose\`: the local endpoint's CPU decomposition of a 1024×1024"
  echo "poster into 5 layers on one core, alone and with PNG encoding (target: under 1 s)."
  echo
  echo '```'
  cat "$out"
  echo '```'
} > bench/RESULTS.md
rm -f "$out"
echo "wrote bench/RESULTS.md"
