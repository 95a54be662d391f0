#!/usr/bin/env bash
# The exports part of bench/run.sh (run alone, it prints its figures): a job of 10 layers of
# 2048 × 2048 written as PNGs once (`export-layers`), then the ZIP and the PPTX export built from
# them, each in its own process (`export`), so its peak RSS is that build's. No Redis needed.
# EXPORT_LAYERS and EXPORT_SIDE change the job (default 10 and 2048).
# Expects a release build of decomposer-bench in $SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${SCRATCH_PATH:-.build}/release/decomposer-bench"
layers=${EXPORT_LAYERS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { echo "\$ decomposer-bench $*" >&2; timeout 600 "$bench" "$@"; }
run export-layers --dir "$work" --layers "$layers" --side "${EXPORT_SIDE:-2048}"
for format in zip pptx; do
  run export --format "$format" --dir "$work" --layers "$layers"
done
