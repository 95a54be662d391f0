#!/usr/bin/env bash
# The codecs part of bench/run.sh (run alone, it prints its figures): the project's
# own parsers and codecs against the mirrored libraries that do the same job, on the
# same input, each case in its own process (no Redis needed):
#   base64     a prediction reply's five layers: CanonicalBase64 (swift-extras-base64 plus the
#              scanner's canonical check), swift-extras-base64 alone, Foundation
#   json       a POST /api/decompose body and a completed job's event: own JSONParser,
#              JSONSerialization, JSONDecoder
#   multipart  a 25 MB upload in 64 KiB chunks, and a header line that never ends: own
#              MultipartFormParser and multipart-kit, one process each (peak RSS is that parser's)
# Expects a release build of decomposer-bench in $SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${SCRATCH_PATH:-.build}/release/decomposer-bench"

run() { echo "\$ decomposer-bench $*" >&2; timeout 300 "$bench" "$@"; }
run base64
run json
for parser in own kit; do
  run multipart --parser "$parser"
  run multipart --parser "$parser" --hostile 1
done
