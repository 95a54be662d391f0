# Sourced by every chaos suite's script, from the repository's root: what each one
# needs before its own settings. Installs what is missing and builds the binary at
# once, so a suite never runs against a stale build; BUILD_DIR (default .build) is
# the build's scratch path, so a second checkout or CI job can build beside this
# one. Then the stack (scripts/lib/stack.sh), with no .env and its files in a temp
# dir, so a developer's settings and data never leak into a run.
scripts/install-deps.sh
build_dir=${BUILD_DIR:-.build}
swift build --scratch-path "$build_dir" --product decomposer
bin=$PWD/$build_dir/debug/decomposer
source scripts/lib/stack.sh
export ENV_FILE=/nonexistent UPLOADS_DIR="$stack_work/uploads" RESULTS_DIR="$stack_work/results"
# The suites send one poster again and again on purpose: every job makes its own call.
export CACHE_TTL_DAYS=0
# The suites import chaos/chaoslib.py: leave no chaos/__pycache__ behind.
export PYTHONDONTWRITEBYTECODE=1
