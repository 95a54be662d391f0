#!/usr/bin/env bash
# All benchmarks, one command: release build, real processes, private redis-servers
# on loopback. Prints `name: value unit` lines and writes bench/RESULTS.md with the
# machine, date and commit.
#   worker part   bench/worker.sh: image preparation, response validation, the worker
#                 pipeline at concurrency 1/4/16 (0 ms endpoint) and 16 (500 ms), the
#                 local endpoint's decomposition
#   api part      bench/api.sh: enqueue and status with wrk, 5 MB uploads, the Redis
#                 ceiling, cold start, idle RSS, WebSocket fan-out to 1,000 and 10,000 watchers
#   codecs part   bench/codecs.sh: the project's own base64, JSON and multipart parsers
#                 against the mirrored libraries; written as the section "Own parsers vs
#                 libraries" of RESULTS.md
#   storage part  bench/storage.sh: STORAGE_BACKEND=gcs against fake-gcs-server (the worker
#                 pipeline at 500 ms / concurrency 16, the API's RSS during 16 concurrent 25 MB
#                 uploads); written as the section "Cloud Storage (emulator)" of RESULTS.md
#   exports part  bench/exports.sh: the ZIP and PPTX export of 10 layers of 2048 × 2048 (build time,
#                 peak RSS); written as the section "Exports" of RESULTS.md
# PARTS="worker api codecs storage exports" (the default: all five) picks parts; a run keeps
# what RESULTS.md had for the parts it did not run: the figures block when it ran only
# codecs, storage and/or exports, each section when it did not run its part. DURATION (s per wrk
# run, default 20) and WATCHER_RUNS (see bench/api.sh) adjust the API part. About 10
# minutes after the build on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh wrk
# SCRATCH_PATH: another build folder (e.g. while someone else builds in .build).
export SCRATCH_PATH="${SCRATCH_PATH:-.build}"
parts=${PARTS:-worker api codecs storage exports}
# The codecs and exports parts need only decomposer-bench.
[ "$parts" = codecs ] || [ "$parts" = exports ] || swift build -c release --scratch-path "$SCRATCH_PATH" --product decomposer >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product decomposer-bench >&2

figures=$(mktemp)
codec_figures=$(mktemp)
storage_figures=$(mktemp)
export_figures=$(mktemp)
trap 'rm -f "$figures" "$codec_figures" "$storage_figures" "$export_figures"' EXIT
main_parts=""
for part in $parts; do
  echo "== $part" >&2
  if [ "$part" = codecs ]; then
    bench/codecs.sh | tee -a "$codec_figures"
  elif [ "$part" = storage ]; then
    bench/storage.sh | tee -a "$storage_figures"
  elif [ "$part" = exports ]; then
    bench/exports.sh | tee -a "$export_figures"
  else
    main_parts="${main_parts:+$main_parts }$part"
    [ -s "$figures" ] || echo "cores: $(nproc) cores" | tee "$figures"
    "bench/$part.sh" | tee -a "$figures"
  fi
done

# Read before RESULTS.md is rewritten (which would count as a local change).
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
about_the_run() {
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $commit"
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1)"
  echo "- load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- firewall rules in this network namespace: $(firewall_rules)"
}
# Loopback packets pass through any rule set, and NAT rules make the kernel track every
# connection: 1–3 µs more of the API's CPU per WebSocket message (bench/README.md, "Where the NAT
# rules came from").
firewall_rules() {
  if ! command -v nft >/dev/null || [ "$(id -u)" -ne 0 ]; then echo "unknown (needs nft as root)"; return; fi
  local ruleset chains
  ruleset=$(nft list ruleset 2>/dev/null || true)
  chains=$(grep -c 'type .* hook' <<<"$ruleset" || true)
  if [ "$chains" -eq 0 ]; then echo "none"
  else echo "$chains base chains ($(grep -c 'type nat hook' <<<"$ruleset" || true) NAT): see \`nft list ruleset\`"; fi
}
section="## Own parsers vs libraries"
storage_section="## Cloud Storage (emulator)"
export_section="## Exports"
previous=$(cat bench/RESULTS.md 2>/dev/null || true)
# $(...) drops trailing blank lines, so each piece ends cleanly. A section runs to the next one.
previous_main=$(printf '%s\n' "$previous" | awk -v s="$section" -v t="$storage_section" -v u="$export_section" \
  '$0 == s || $0 == t || $0 == u {exit} {print}')
section_of() {
  printf '%s\n' "$previous" | awk -v s="$1" -v a="$section" -v b="$storage_section" -v c="$export_section" \
    '$0 == s {found=1; print; next} $0 == a || $0 == b || $0 == c {found=0} found {print}'
}
previous_section=$(section_of "$section")
previous_storage_section=$(section_of "$storage_section")
previous_export_section=$(section_of "$export_section")
{
  if [ -n "$main_parts" ]; then
    echo "# Benchmark results"
    echo
    about_the_run
    echo "- parts: $main_parts; wrk (and every client) runs on the same machine"
    echo
    echo "What each figure is: bench/README.md. \`*_peak_rss\`: the peak resident set (VmHWM) of"
    echo "that process over its case."
    echo
    echo '```'
    cat "$figures"
    echo '```'
  else
    printf '%s\n' "$previous_main"
  fi
  if [ -s "$codec_figures" ]; then
    echo
    echo "$section"
    echo
    about_the_run
    echo
    echo "The project's own parsers and codecs against the mirrored libraries that do the same"
    echo "job, same input, release build (bench/codecs.sh). What each figure is and what was"
    echo "decided from it: bench/README.md, \"Own parsers vs libraries\"."
    echo
    echo '```'
    cat "$codec_figures"
    echo '```'
  elif [ -n "$previous_section" ]; then
    echo
    printf '%s\n' "$previous_section"
  fi
  if [ -s "$storage_figures" ]; then
    echo
    echo "$storage_section"
    echo
    about_the_run
    echo
    echo "STORAGE_BACKEND=gcs against fake-gcs-server on loopback (bench/storage.sh), release build:"
    echo "the worker pipeline with its uploads and layers in the bucket, and the API's memory while"
    echo "16 uploads of 25 MB are spooled and stored. What each figure is: bench/README.md."
    echo
    echo '```'
    cat "$storage_figures"
    echo '```'
  elif [ -n "$previous_storage_section" ]; then
    echo
    printf '%s\n' "$previous_storage_section"
  fi
  if [ -s "$export_figures" ]; then
    echo
    echo "$export_section"
    echo
    about_the_run
    echo
    echo "The ZIP and PPTX exports of one job of 10 layers of 2048 × 2048 (bench/exports.sh), release"
    echo "build, each build in its own process from the layer files. What each figure is: bench/README.md."
    echo
    echo '```'
    cat "$export_figures"
    echo '```'
  elif [ -n "$previous_export_section" ]; then
    echo
    printf '%s\n' "$previous_export_section"
  fi
} > bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
