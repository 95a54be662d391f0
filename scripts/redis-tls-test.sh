#!/usr/bin/env bash
# Redis over TLS through the gke overlay's stunnel sidecar configuration, as with Memorystore's
# in-transit encryption: a throwaway CA and server certificate (openssl), redis-server serving
# TLS only, stunnel (Debian's stunnel4) in client mode with deploy/kubernetes/overlays/gke/stunnel/
# stunnel.conf (only its accept, connect and CAfile values replaced), then the local endpoint, the
# API and a worker with REDIS_URL at stunnel's port; a poster is decomposed through them. It also
# shows the path cannot be bypassed or faked: a plain connection to the TLS port gets no answer,
# and the same stunnel configuration with another CA refuses the server.
set -euo pipefail
cd "$(dirname "$0")/.."
skip() {
  echo "redis-tls-test: skipped: $*"
  exit 0
}
fail() {  # the logs' last lines too: they go with the temporary folder at exit
  echo "redis-tls-test: $*" >&2
  for log in "$stack_logs"/*.log; do echo "--- $log" >&2; tail -5 "$log" >&2; done
  exit 1
}
if ! command -v stunnel >/dev/null || ! command -v openssl >/dev/null; then
  scripts/install-deps.sh stunnel4 openssl || skip "stunnel4 and openssl are missing and could not be installed"
fi
scripts/install-deps.sh
swift build --product decomposer
bin=$PWD/.build/debug/decomposer
conf=deploy/kubernetes/overlays/gke/stunnel/stunnel.conf
source scripts/lib/stack.sh
export ENV_FILE=/nonexistent UPLOADS_DIR="$stack_work/uploads" RESULTS_DIR="$stack_work/results"
export GCE_METADATA_HOST="127.0.0.1:$(free_port)"  # nothing listens there
tls=$stack_work/tls
mkdir -p "$tls"

# --- certificates: the server's signed by a CA of its own, and an unrelated CA -------------------
make_ca() {  # make_ca NAME
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 -subj "/CN=$1" \
    -keyout "$tls/$1.key" -out "$tls/$1.pem" 2>/dev/null
}
make_ca test-ca
make_ca other-ca
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=127.0.0.1 \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
openssl x509 -req -in "$tls/server.csr" -CA "$tls/test-ca.pem" -CAkey "$tls/test-ca.key" -CAcreateserial -days 2 \
  -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$tls/server.pem" 2>/dev/null

# --- redis-server, TLS only ----------------------------------------------------------------------
tls_port=$(free_port)
redis-server --port 0 --tls-port "$tls_port" --bind 127.0.0.1 --tls-cert-file "$tls/server.pem" \
  --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/test-ca.pem" --tls-auth-clients no \
  --save "" --appendonly no --dir "$stack_work" --maxmemory-policy noeviction --logfile "$stack_logs/redis.log" \
  2>>"$stack_logs/redis.log" &
stack_pids+=($!)
tls_ping() { redis-cli --tls --cacert "$tls/test-ca.pem" -p "$tls_port" ping 2>/dev/null || true; }
for _ in $(seq 1 100); do [ "$(tls_ping)" = PONG ] && break; kill -0 "${stack_pids[-1]}" 2>/dev/null || break; sleep 0.05; done
if [ "$(tls_ping)" != PONG ]; then
  grep -q "tls-port" "$stack_logs/redis.log" 2>/dev/null && skip "this redis-server was built without TLS ($(redis-server --version))"
  fail "redis-server did not answer over TLS"
fi
plain=$(timeout 10 redis-cli -p "$tls_port" ping 2>&1 || true)
[ "$plain" != PONG ] || fail "a plain connection to the TLS port was answered"
echo "redis-server: TLS only on $tls_port (a plain PING gets: ${plain:-nothing})"

# --- stunnel with the sidecar's configuration -------------------------------------------------------
# start_stunnel NAME CA_FILE: stunnel with $conf, accepting on a free port ($stunnel_port).
start_stunnel() {
  stunnel_port=$(free_port)
  sed -e "s|^accept = .*|accept = 127.0.0.1:$stunnel_port|" -e "s|^connect = .*|connect = 127.0.0.1:$tls_port|" \
    -e "s|^CAfile = .*|CAfile = $2|" "$conf" >"$stack_work/$1.conf"
  [ "$(diff "$conf" "$stack_work/$1.conf" | grep -c '^>')" -eq 3 ] || fail "$conf must have one accept, connect and CAfile line each"
  stunnel "$stack_work/$1.conf" 2>"$stack_logs/$1.log" &
  stack_pids+=($!)
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$stunnel_port") 2>/dev/null && return 0; sleep 0.05; done
  fail "stunnel did not listen"
}
start_stunnel stunnel-wrong-ca "$tls/other-ca.pem"
wrong=$(timeout 10 redis-cli -p "$stunnel_port" ping 2>&1 || true)
[ "$wrong" != PONG ] || fail "stunnel reached a server whose certificate its CAfile did not sign"
grep -q "certificate verify failed\|CERTIFICATE_VERIFY_FAILED\|Rejected by CERT" "$stack_logs/stunnel-wrong-ca.log" \
  || fail "stunnel with another CA did not refuse the certificate"
echo "stunnel with another CA: the server's certificate refused"
start_stunnel stunnel "$tls/test-ca.pem"
[ "$(redis-cli -p "$stunnel_port" ping 2>/dev/null)" = PONG ] || fail "no PONG through stunnel"
export REDIS_URL="redis://127.0.0.1:$stunnel_port/0"
echo "stunnel: 127.0.0.1:$stunnel_port → TLS 127.0.0.1:$tls_port"

# --- the decomposer through it ------------------------------------------------------------------------
start_endpoint
start_api
worker_port=$(free_port)
HOST=127.0.0.1 WORKER_PORT=$worker_port "$bin" worker 2>"$stack_logs/worker.log" &
stack_pids+=($!)
wait_for "http://127.0.0.1:$worker_port/readyz"
submitted=$(timeout 120 "$bin" submit assets/sample-poster.png --layers 3 --resolution 640 --api "$BASE_URL" \
  --out "$stack_work/out") || fail "the job did not complete: $submitted"
layers=$(find "$stack_work/out" -name '*.png' | wc -l)
[ "$layers" -eq 3 ] || fail "expected 3 layers, got $layers"
# The job as the TLS redis-server holds it, asked over TLS with the CA checked.
job_id=$(sed -n 's/^Job \([0-9a-f-]*\) queued.*/\1/p' <<<"$submitted")
status=$(redis-cli --tls --cacert "$tls/test-ca.pem" -p "$tls_port" hget "{decomposer}:job:$job_id" status)
[ "$status" = completed ] || fail "job $job_id is '$status' in the TLS redis-server"
accepted=$(grep -c "accepted connection" "$stack_logs/stunnel.log" || true)
echo "redis-tls-test: passed (job $job_id completed with the API and worker on Redis through stunnel; $accepted connections tunnelled)"
