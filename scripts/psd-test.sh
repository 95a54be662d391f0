#!/usr/bin/env bash
# The PSD export read by an independent reader: makes .build/psd-venv (psd-tools from PyPI, pinned;
# numpy and Pillow come with it), then runs the ExportsTests suite that writes PSDs with the
# project's PSDWriter and checks each with scripts/psd-check.py (layers, names, pixels, composite).
# A few seconds once built. Skips with one line only where the venv cannot be made.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh  # python3-venv
version=1.26.0
venv=.build/psd-venv
log=.build/psd-venv-install.log
if ! { [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >"$log" 2>&1; } \
  || ! { "$venv/bin/python" -c "import psd_tools, sys; sys.exit(psd_tools.__version__ != '$version')" 2>/dev/null \
    || "$venv/bin/pip" install -q "psd-tools==$version" >"$log" 2>&1; }; then
  echo "psd-test: skipped, could not make $venv with psd-tools $version (python3-venv or PyPI unavailable; see $log)"
  exit 0
fi
swift build --build-tests
# The files checked are kept in .build/test-output/psd (a folder per PSD, with its PNGs).
rm -rf .build/test-output/psd
PSD_TOOLS_PYTHON="$PWD/$venv/bin/python" PSD_TEST_OUTPUT="$PWD/.build/test-output/psd" swift test --skip-build --filter PSDToolsCheckTests
