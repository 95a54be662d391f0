#!/usr/bin/env bash
# The container image, built from the repository's Dockerfile and run for real with podman: Redis,
# the local endpoint, the API and a worker as containers (--network host, free loopback ports,
# GCE_METADATA_HOST on a closed port), the sample poster decomposed through them, its layers
# downloaded and compared with what the worker stored; then cost-report, doctor and cleanup from
# the same image, and SIGTERM stops the API and the worker cleanly (exit 0 as PID 1). Prints the
# image's size, checks that it holds no toolchain, headers or package caches, and prints the time
# from `podman run` to the API's /readyz 200. Leaves the host's firewall as it found it: every
# container runs with --network host or none, so netavark never adds its NAT chains to the host's
# namespace (they would stay after the test, and the kernel would then track every loopback
# connection on the machine); the test fails if the rule set changed.
#
#   scripts/container-test.sh          the image from the release binary built on this host
#                                      (BINARY_SOURCE=prebuilt; what scripts/test.sh runs)
#   scripts/container-test.sh --full   the real multi-stage build: the Swift build stage runs in
#                                      a container, with this host's toolchain mounted read-only
#
# Base images come from no registry: Debian bookworm made with debootstrap (cached in
# .build/container), plus a Redis image and, for --full, a builder image made from it. Root only;
# skipped with one line where podman cannot run. Containers are removed by name at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
full=false
case "${1:-}" in
  "") ;;
  --full) full=true ;;
  *) echo "usage: $0 [--full]" >&2; exit 2 ;;
esac

podman_state=$PWD/.build/container
source scripts/lib/podman.sh
podman_prepare
firewall_before=$(host_firewall)
scripts/install-deps.sh

base=localhost/decomposer-test/debian:bookworm-slim-$base_recipe
image=localhost/decomposer:test
local_base_image "$base"
redis_image=localhost/decomposer-test/redis:$(image_id "$base")

# Containers of an earlier run that was killed (named decomposer-ct-<its pid>-<role>, and that pid is gone).
for name in $(podman ps --all --format '{{.Names}}' | grep '^decomposer-ct-[0-9]*-' || true); do
  pid=${name#decomposer-ct-}
  kill -0 "${pid%%-*}" 2>/dev/null || podman rm --force --time 2 "$name" >/dev/null 2>&1 || true
done
run=$(mktemp -d)
names=()
cleanup_containers() {
  [ ${#names[@]} -eq 0 ] || podman rm --force --time 2 "${names[@]}" >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup_containers EXIT
trap 'exit 130' INT TERM

cat >"$run/redis.Containerfile" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \\
    && rm -rf /var/lib/apt/lists/*
USER redis
ENTRYPOINT ["redis-server"]
EOF
local_image "$redis_image" "$run/redis.Containerfile"

# --- the image ---------------------------------------------------------------------------------
started=$SECONDS
if $full; then
  # The build stage's base: the toolchain's run-time packages (the toolchain itself is this host's,
  # mounted at the same path) and git's url.insteadOf settings, so packages resolve from the same
  # local mirror folders as here (mounted too).
  swift_root=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
  mounts=(-v "$swift_root:$swift_root:ro")
  mkdir -p "$run/builder"
  : >"$run/builder/gitconfig"
  while read -r key value; do
    git config -f "$run/builder/gitconfig" --add "$key" "$value"
    folder=${key#url.}
    folder=${folder%.insteadof}
    [ -d "$folder" ] || continue
    [[ " ${mounts[*]} " == *" $folder:"* ]] || mounts+=(-v "$folder:$folder:ro")
  done < <(git config --get-regexp '^url\..*\.insteadof$' || true)
  builder=localhost/decomposer-test/swift-builder:$(image_id "$base")
  cat >"$run/builder/Containerfile" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      binutils libc6-dev libgcc-12-dev libstdc++-12-dev libncurses6 libsqlite3-0 libxml2 libicu72 libcurl4 \\
      git ca-certificates pkg-config \\
    && rm -rf /var/lib/apt/lists/*
COPY gitconfig /etc/gitconfig
ENV PATH=$swift_root/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
  local_image "$builder" "$run/builder/Containerfile"
  # BINARY_SOURCE=build is the default, but podman 4.3 skips the stages it needs unless it is given.
  build_args=(--build-arg BINARY_SOURCE=build --build-arg BUILDER_IMAGE="$builder" "${mounts[@]}")
  context=.
  mode="multi-stage build (toolchain stage in a container)"
else
  echo "Building the release binary on this host (swift build -c release --static-swift-stdlib)"
  swift build -c release --static-swift-stdlib --product decomposer
  context=$podman_state/prebuilt-context
  rm -rf "$context" && mkdir -p "$context/prebuilt"
  strip --strip-debug -o "$context/prebuilt/decomposer" .build/release/decomposer
  cp "$(dirname "$(readlink -f "$(command -v swift)")")/../libexec/swift/linux/swift-backtrace-static" "$context/prebuilt/"
  build_args=(--build-arg BINARY_SOURCE=prebuilt)
  mode="prebuilt release binary"
fi
echo "Building $image ($mode)"
image_started=$SECONDS
previous=$(image_id "$image")
# --layers=false: no intermediate images are kept, so a rebuild leaves nothing behind but the
# previous image, removed below.
timeout 3600 podman build --pull=never --network host --layers=false --build-arg RUNTIME_IMAGE="$base" "${build_args[@]}" \
  -f Dockerfile -t "$image" "$context" >"$podman_state/image-build.log" 2>&1 \
  || { tail -30 "$podman_state/image-build.log" >&2; echo "container-test: the image did not build (log: $podman_state/image-build.log)" >&2; exit 1; }
[ -z "$previous" ] || [ "$previous" = "$(image_id "$image")" ] || podman rmi "$previous" >/dev/null 2>&1 || true
if $full; then echo "image built in $((SECONDS - image_started)) s"; else
  echo "image built in $((SECONDS - image_started)) s ($((SECONDS - started)) s with the host's release build)"; fi

# --- what the image holds ----------------------------------------------------------------------
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image size: $((size / 1000000)) MB ($image)"
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = 10001:10001 ] \
  || { echo "container-test: the image does not run as user 10001" >&2; exit 1; }
podman run --rm --network none --entrypoint bash "$image" -c '
  fail() { echo "container-test: the runtime image holds $1" >&2; exit 1; }
  for tool in swift swiftc clang gcc cc ld git; do
    ! command -v "$tool" >/dev/null || fail "a toolchain ($tool)"
  done
  for header in /usr/include/hiredis /usr/include/curl /usr/include/png.h /usr/include/jpeglib.h /usr/include/zlib.h \
    /usr/include/stdio.h; do
    [ ! -e "$header" ] || fail "headers ($header)"
  done
  [ ! -e /src ] && [ ! -e /staging ] || fail "build files"
  [ -z "$(ls -A /var/lib/apt/lists)" ] || fail "apt lists"
  [ -z "$(ls /var/cache/apt/archives/*.deb 2>/dev/null)" ] || fail "downloaded packages"
  [ "$(id -u)" != 0 ] || fail "a root user as its default"
  libraries=$(ldd /usr/local/bin/decomposer)
  ! grep -q "not found" <<<"$libraries" || fail "a binary with missing libraries: $(grep "not found" <<<"$libraries")"
  ! grep -Eq "libswift|libFoundation|libdispatch|libBlocksRuntime" <<<"$libraries" || fail "a binary with a shared Swift runtime"
  echo "image holds: the binary ($(du -m /usr/local/bin/decomposer | cut -f1) MB) and its $(grep -c "=>" <<<"$libraries") shared libraries; no toolchain, headers or package caches; runs as $(id -un)"
'

# --- the stack as containers -----------------------------------------------------------------------
source scripts/lib/free-port.sh
redis_port=$(free_port) endpoint_port=$(free_port) api_port=$(free_port) worker_port=$(free_port)
suffix=$$
mkdir -p "$run/data" "$run/out"
chown 10001:10001 "$run/data" "$run/out"
common=(--network host --env ENV_FILE=/nonexistent --env "GCE_METADATA_HOST=127.0.0.1:$(free_port)" --env HOST=127.0.0.1
  --env "REDIS_URL=redis://127.0.0.1:$redis_port/0")
data=(--volume "$run/data:/var/lib/decomposer/data")
start() {  # start NAME [podman run options and arguments]
  local name=decomposer-ct-$suffix-$1
  shift
  names+=("$name")
  podman run --detach --name "$name" "$@" >/dev/null
}
wait_for() {  # wait_for URL WHAT: 60 s at most
  for _ in $(seq 1 600); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "container-test: $2 not ready at $1" >&2
  return 1
}
show_logs() {
  local name
  for name in "${names[@]}"; do echo "--- $name" >&2; podman logs --tail 20 "$name" >&2 2>&1 || true; done
}
trap 'status=$?; [ "$status" -eq 0 ] || show_logs; cleanup_containers; exit "$status"' EXIT

start redis --network host "$redis_image" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --maxmemory-policy noeviction
redis_ping() { podman exec "decomposer-ct-$suffix-redis" redis-cli -p "$redis_port" ping 2>/dev/null || true; }
for _ in $(seq 1 100); do [ "$(redis_ping)" = PONG ] && break; sleep 0.1; done
[ "$(redis_ping)" = PONG ] || { echo "container-test: Redis did not answer" >&2; exit 1; }
start endpoint "${common[@]}" "$image" endpoint --host 127.0.0.1 --port "$endpoint_port"
wait_for "http://127.0.0.1:$endpoint_port/healthz" "the endpoint"

api_started=$(date +%s%N)
start api "${common[@]}" "${data[@]}" --env "PORT=$api_port" "$image" api
wait_for "http://127.0.0.1:$api_port/readyz" "the API"
echo "podman run to /readyz 200: $((($(date +%s%N) - api_started) / 1000000)) ms"

start worker "${common[@]}" "${data[@]}" --env "WORKER_PORT=$worker_port" \
  --env "VERTEX_AI_API_ENDPOINT=http://127.0.0.1:$endpoint_port" --env VERTEX_AI_PROJECT_ID=local \
  --env VERTEX_AI_ENDPOINT_ID=local "$image" worker
wait_for "http://127.0.0.1:$worker_port/readyz" "the worker"

# --- the sample poster, through the containers ---------------------------------------------------
echo "Decomposing assets/sample-poster.png through the containers"
submit_started=$SECONDS
timeout 300 podman run --rm "${common[@]}" --volume "$PWD/assets/sample-poster.png:/posters/sample-poster.png:ro" \
  --volume "$run/out:/out" "$image" submit /posters/sample-poster.png --layers 5 --resolution 1024 \
  --api "http://127.0.0.1:$api_port" --out /out
layers=("$run"/out/*.png)
[ -e "${layers[0]}" ] && [ ${#layers[@]} -eq 5 ] \
  || { echo "container-test: expected 5 layers, got: $(ls "$run/out")" >&2; exit 1; }
for layer in "${layers[@]}"; do
  stored=$(find "$run/data/results" -type f -name "$(basename "$layer")" | head -1)
  [ -n "$stored" ] && cmp -s "$layer" "$stored" \
    || { echo "container-test: $(basename "$layer") downloaded differs from the worker's copy ($stored)" >&2; exit 1; }
  [ "$(head -c 8 "$layer" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || { echo "container-test: $(basename "$layer") is not a PNG" >&2; exit 1; }
done
echo "5 layers downloaded, byte for byte the worker's (job: $((SECONDS - submit_started)) s)"

# --- the other subcommands, from the same image --------------------------------------------------
report=$(podman run --rm "${common[@]}" "$image" cost-report --days 1 --format json)
python3 -c 'import json, sys; days = json.loads(sys.argv[1])["days"]; sys.exit(0 if days and days[-1]["requests"] >= 1 else 1)' "$report" \
  || { echo "container-test: cost-report shows no request today: $report" >&2; exit 1; }
echo "cost-report: today's endpoint requests attributed"
podman run --rm "${common[@]}" "$image" doctor | sed 's/^/doctor: /'
sleep 2  # so the finished job's files are older than the age below
cleanup_output=$(podman run --rm "${common[@]}" "${data[@]}" "$image" cleanup --older-than 1s)
echo "cleanup: $cleanup_output"
grep -q "^removed 1 uploads and 1 result sets" <<<"$cleanup_output" && [ -z "$(find "$run/data/results" -type f)" ] \
  || { echo "container-test: cleanup did not remove the finished job's files" >&2; exit 1; }

# --- SIGTERM: the API and the worker drain and exit 0 as the container's PID 1 -----------------------
for role in worker api; do
  podman stop --time 60 "decomposer-ct-$suffix-$role" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "decomposer-ct-$suffix-$role")
  [ "$code" = 0 ] || { echo "container-test: $role exited $code on SIGTERM" >&2; exit 1; }
done
echo "SIGTERM: worker and API exited 0"
[ "$(host_firewall)" = "$firewall_before" ] || {
  echo "container-test: the host's firewall rules changed (nft list ruleset); a container ran on a podman network" >&2
  exit 1
}
echo "container-test: passed ($mode, $((SECONDS - started)) s)"
