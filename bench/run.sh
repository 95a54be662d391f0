#!/usr/bin/env bash
# All benchmarks, one command: release build, real processes, private redis-servers
# on loopback. Prints `name: value unit` lines and writes bench/RESULTS.md with the
# machine, date and commit.
#   worker part   bench/worker.sh: image preparation, response validation, the worker
#                 pipeline at concurrency 1/4/16 (0 ms endpoint) and 16 (500 ms), the
#                 local endpoint's decomposition
#   api part      bench/api.sh: enqueue and status with wrk, 5 MB uploads, the Redis
#                 ceiling, cold start, idle RSS, WebSocket fan-out to 1,000 and 10,000 watchers
# PARTS="worker api" (default both) picks parts; DURATION (s per wrk run, default 20)
# and WATCHER_RUNS (see bench/api.sh) adjust the API part. About 8 minutes
# after the build on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh wrk
# SCRATCH_PATH: another build folder (e.g. while someone else builds in .build).
export SCRATCH_PATH="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$SCRATCH_PATH" --product decomposer >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product decomposer-bench >&2

figures=$(mktemp)
trap 'rm -f "$figures"' EXIT
echo "cores: $(nproc) cores" | tee "$figures"
for part in ${PARTS:-worker api}; do
  echo "== $part" >&2
  "bench/$part.sh" | tee -a "$figures"
done

{
  echo "# Benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1)"
  echo "- load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- parts: ${PARTS:-worker api}; wrk (and every client) runs on the same machine"
  echo
  echo "What each figure is: bench/README.md. \`*_peak_rss\`: the peak resident set (VmHWM) of"
  echo "that process over its case."
  echo
  echo '```'
  cat "$figures"
  echo '```'
} > bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
