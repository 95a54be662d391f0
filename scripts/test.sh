#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test, then the schemathesis
# check of the API's OpenAPI document, the browser test, the export test, Redis over TLS through the stunnel
# sidecar's configuration, the chaos suites and the container image.
# Tests start their own redis-server on free loopback ports; nothing needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/format-check.sh  # swift-format with .swift-format; no build needed
swift build --build-tests
# The tests take well under a minute; a hung one fails the run after 20 minutes instead of
# holding CI until its own limit.
status=0
timeout --kill-after=30 1200 swift test --skip-build || status=$?
if [ "$status" -eq 124 ]; then echo "swift test did not finish within 20 minutes (a test hangs)" >&2; fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
# The served OpenAPI document against the running server, by schemathesis (loopback-only namespace).
scripts/schemathesis.sh
# The web page in headless Chromium against a real stack (Redis, local endpoint, API + worker).
scripts/browser-test.sh
# The PSD export read by psd-tools (PyPI, .build/psd-venv): layers, names, pixels, composite (seconds).
scripts/psd-test.sh

# The ZIP and PPTX exports read by zipfile, unzip, python-pptx and a LibreOffice render (about 15 s;
# EXPORT_RESOLUTION=1024 for a full-size poster).
scripts/export-test.sh
# Redis over TLS (Memorystore's in-transit encryption) through the gke overlay's stunnel.conf: a job
# completes with the API and a worker behind it (a few seconds).
scripts/redis-tls-test.sh
# Chaos suite 5: ≥ 30 kinds of malformed requests against a running API beside normal traffic.
chaos/bad-input.sh
# Chaos suites 1-4, short (40 jobs each; see the README for the full ones): workers killed
# with SIGKILL, Redis restarted, a storm of endpoint faults, SIGTERM to every worker mid-run.
export JOBS=${JOBS:-40}
chaos/worker-massacre.sh
chaos/redis-restart.sh
chaos/fault-storm.sh
chaos/deploy.sh
# The multi-host test, short (40 jobs; --full for 200): a cluster in network namespaces, a worker
# host cut off for 10 s, an API replica killed (as root; skips with one line where it cannot run).
chaos/multi-host.sh
# The image from the Dockerfile, run with podman: Redis, the endpoint, the API and a worker as
# containers decompose the sample poster. Built from the release binary made here once (about
# 10 minutes from a clean clone on 2 cores, then seconds); `scripts/container-test.sh --full`
# runs the toolchain stage in a container too. Skipped with one line where podman cannot run.
scripts/container-test.sh
