#!/usr/bin/env bash
# The format check (no build needed, a few seconds): lints Sources, Tests and Package.swift with
# swift-format and the repository's .swift-format, prints each finding with its source line,
# and exits 1 on any finding.
#
# What it checks: every rule .swift-format enables (capitalised type names, `let` inside case
# patterns, no blank line after `{`, no `try!`, grouped numeric literals, …) and the whitespace
# swift-format sees within and between lines: spacing, trailing whitespace, extra blank lines,
# misplaced line breaks. What it leaves out: the four layout categories in layout_categories
# below. They say how swift-format would indent continuation lines and multi-line string
# literals (Lua scripts, the OpenAPI document, the web page), where it would break long lines
# and where it would then add trailing commas; the code was not written that way (about 1,700
# such findings), and making it so means reformatting nearly every file. So the check ignores
# them, and a plain `swift format --in-place` would rewrite whole files: fix findings as the
# message at the end says instead.
set -euo pipefail
cd "$(dirname "$0")/.."
layout_categories='Indentation|LineLength|AddLines|TrailingComma'

if swift format --version >/dev/null 2>&1; then
  swift_format=(swift format)
elif command -v swift-format >/dev/null 2>&1; then
  swift_format=(swift-format)
else
  echo "format-check: swift-format is missing. It ships with the Swift toolchain (6.0 or later) as" \
    "\`swift format\`; install the toolchain (https://www.swift.org/install/linux/) or put swift-format on PATH." >&2
  exit 1
fi

# Without --strict a finding is a warning and the exit status says only whether swift-format
# could read the configuration and parse every file; this script decides on the findings.
status=0
output=$("${swift_format[@]}" lint --recursive --parallel Sources Tests Package.swift 2>&1) || status=$?
# --parallel may print a finding twice and in any order: one line per finding, sorted.
findings=$(grep -vE "\[($layout_categories)\]" <<<"$output" | sort -t: -k1,1 -k2,2n -k3,3n -u || true)

if [ "$status" -ne 0 ]; then
  echo "format-check: swift-format failed (exit $status):" >&2
  echo "$findings" >&2
  exit 1
fi
if [ -z "$findings" ]; then
  echo "format-check: no findings"
  exit 0
fi

count=0
while IFS= read -r finding; do
  count=$((count + 1))
  echo "$finding"
  IFS=: read -r file line _ <<<"$finding"
  if [ -f "$file" ] && [[ "$line" =~ ^[0-9]+$ ]]; then
    echo "    $(sed -n "${line}p" "$file")"
  fi
done <<<"$findings"
cat <<EOF

format-check: $count finding(s). Fix each line as its message says. Rule fixes that swift-format can
make by itself, without laying out the rest of the file again:
  ${swift_format[*]} --in-place --debug-disable-pretty-print FILE...
Do not run a plain \`${swift_format[*]} --in-place\`: it lays out whole files again (see the top of
scripts/format-check.sh). Configuration: .swift-format.
EOF
exit 1
