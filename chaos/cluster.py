"""The multi-host test's cluster (chaos/multi_host.py): which host runs what, at which
address, with which settings; starting its processes inside their hosts' network namespaces,
stopping them, and talking to them from the client host. The namespaces and their links are
made by chaos/multi-host.sh, which passes NAMESPACE (the hosts are NAMESPACE-<host>),
ADDRESSES ("host=ip ..."), DECOMPOSER, FAKE_GCS_SERVER, WORK (a folder per host under
WORK/hosts) and LOG_DIR.
"""
import http.client
import json
import os
import signal
import subprocess
import time

from chaoslib import redis

NAMESPACE = os.environ["NAMESPACE"]
ADDRESS = dict(pair.split("=") for pair in os.environ["ADDRESSES"].split())
DECOMPOSER = os.environ["DECOMPOSER"]
WORK, LOG_DIR = os.environ["WORK"], os.environ["LOG_DIR"]
LEASE_SECONDS = 4
API_PORT, REDIS_PORT, GCS_PORT, ENDPOINT_PORT = 8000, 6379, 4443, 8080
BUCKET = "multi-host"
REPLICAS = ("api-a", "api-b")
# Worker processes: (name, host, health port). workers-1 is the host whose link is cut.
WORKERS = [("worker-1a", "workers-1", 9101), ("worker-1b", "workers-1", 9102), ("worker-2a", "workers-2", 9101)]
CUT_HOST = "workers-1"
GCS = f"http://{ADDRESS['storage']}:{GCS_PORT}"
# What every process of the cluster shares. Nothing may leave the namespaces: no default route
# anywhere, and the metadata server (the last credential source) is a closed port on the
# process's own loopback. The storage and prediction endpoints are not on loopback, so the
# service would look for credentials: a static token (which both emulators ignore) stops that.
CLUSTER = {
    "ENV_FILE": "/nonexistent", "GCE_METADATA_HOST": "127.0.0.1:9", "LOG_LEVEL": "info",
    "REDIS_URL": f"redis://{ADDRESS['redis']}:{REDIS_PORT}/0",
    "STORAGE_BACKEND": "gcs", "GCS_BUCKET": BUCKET, "GCS_API_ENDPOINT": GCS,
    "VERTEX_AI_ACCESS_TOKEN": "multi-host-test-token",
    "VERTEX_AI_API_ENDPOINT": f"http://{ADDRESS['storage']}:{ENDPOINT_PORT}",
    "VERTEX_AI_PROJECT_ID": "local", "VERTEX_AI_ENDPOINT_ID": "local",
    "JOB_LEASE_SECONDS": str(LEASE_SECONDS), "MAX_CONCURRENT_JOBS": "2", "SHUTDOWN_GRACE_SECONDS": "10",
    # One poster sent again and again on purpose: every job makes its own call.
    "CACHE_TTL_DAYS": "0",
}
# This script's own tools (redis-cli, `decomposer cost-report`) read these too.
os.environ.update({key: CLUSTER[key] for key in ("ENV_FILE", "GCE_METADATA_HOST", "REDIS_URL")})


def say(text):
    print(f"     {text}", flush=True)


# ---- processes on the hosts -------------------------------------------------------------------

processes = {}  # name -> Popen (the latest process of that name)


def host_folder(host, *parts):
    return os.path.join(WORK, "hosts", host, *parts)


def launch(name, host, argv, **settings):
    """Starts a process inside a host's namespace (`ip netns exec` execs it, so the pid is the
    process's own) with that host's folders, the cluster's settings and `settings`; its output
    goes to LOG_DIR/<name>.log (appended, so a restarted process keeps its history)."""
    environment = {"PATH": os.environ["PATH"], "HOME": host_folder(host), "TMPDIR": host_folder(host, "tmp"),
                   "UPLOADS_DIR": host_folder(host, "uploads"), "RESULTS_DIR": host_folder(host, "results"),
                   **CLUSTER, **settings}
    log = open(os.path.join(LOG_DIR, f"{name}.log"), "a")
    processes[name] = subprocess.Popen(["ip", "netns", "exec", f"{NAMESPACE}-{host}", *argv], env=environment,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    return processes[name]


def request(host, port, method, path, body=None, headers=None, timeout=30):
    """(status, headers, body) of one HTTP request from this (the client) host."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def answers(host, port, path, statuses=(200,)):
    try:
        return request(host, port, "GET", path, timeout=5)[0] in statuses
    except OSError:
        return False


def wait_until(test, seconds, what):
    """Every wait has a deadline; a missed one ends the run (with its checks failed)."""
    limit = time.time() + seconds
    while time.time() < limit:
        if test():
            return True
        time.sleep(0.2)
    raise RuntimeError(f"not ready after {seconds} s: {what}")


def start_api(replica):
    launch(replica, replica, [DECOMPOSER, "api"], HOST=ADDRESS[replica], PORT=str(API_PORT))
    wait_until(lambda: answers(ADDRESS[replica], API_PORT, "/readyz"), 90, f"{replica} /readyz")


def start_cluster():
    for host in ADDRESS:
        for folder in ("uploads", "results", "tmp"):
            os.makedirs(host_folder(host, folder), exist_ok=True)
    launch("redis", "redis", ["redis-server", "--bind", ADDRESS["redis"], "--port", str(REDIS_PORT),
                              "--protected-mode", "no", "--save", "", "--appendonly", "no",
                              "--dir", host_folder("redis"), "--maxmemory-policy", "noeviction"])
    wait_until(lambda: redis("PING").strip() == "PONG", 30, "redis-server")
    launch("fake-gcs-server", "storage", [os.environ["FAKE_GCS_SERVER"], "-scheme", "http", "-host", ADDRESS["storage"],
                                          "-port", str(GCS_PORT), "-backend", "filesystem",
                                          "-filesystem-root", host_folder("storage", "gcs"), "-log-level", "error"])
    wait_until(lambda: answers(ADDRESS["storage"], GCS_PORT, "/storage/v1/b?project=multi-host"), 30, "fake-gcs-server")
    status, _, body = request(ADDRESS["storage"], GCS_PORT, "POST", "/storage/v1/b?project=multi-host",
                              json.dumps({"name": BUCKET}).encode(), {"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"creating the bucket answered {status}: {body[:200]}")
    launch("endpoint", "storage", [DECOMPOSER, "endpoint", "--host", ADDRESS["storage"], "--port", str(ENDPOINT_PORT),
                                   "--latency-ms", "300-500", "--request-log", os.path.join(LOG_DIR, "requests.jsonl")])
    wait_until(lambda: answers(ADDRESS["storage"], ENDPOINT_PORT, "/healthz"), 60, "the prediction endpoint")
    for replica in REPLICAS:
        start_api(replica)
    for name, host, port in WORKERS:
        launch(name, host, [DECOMPOSER, "worker"], HOST=ADDRESS[host], WORKER_PORT=str(port))
    for name, host, port in WORKERS:
        wait_until(lambda: answers(ADDRESS[host], port, "/readyz"), 90, f"{name} /readyz")


def worker_metric(host, port, name):
    """A worker's figure from its /metrics (summed over labels); None when it does not answer."""
    try:
        text = request(ADDRESS[host], port, "GET", "/metrics", timeout=5)[2].decode()
    except OSError:
        return None
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.split(" ")[0].split("{")[0] == name)


def in_flight(host=None):
    """Jobs the workers (on `host`, or all) are running now; a worker that does not answer counts as busy."""
    figures = [worker_metric(worker_host, port, "decomposer_worker_in_flight_jobs")
               for _, worker_host, port in WORKERS if host in (None, worker_host)]
    return sum(1 if figure is None else figure for figure in figures)


def set_link(host, state):
    """The host's cable, pulled or plugged in at the switch: its veth's bridge end goes down or up."""
    subprocess.run(["ip", "-n", f"{NAMESPACE}-switch", "link", "set", f"v-{host}", state], check=True, timeout=30)


def api(replica, method, path, body=None, headers=None):
    """A request the run needs to succeed: an error status ends the run (the cluster is broken)."""
    status, _, data = request(ADDRESS[replica], API_PORT, method, path, body, headers)
    if status >= 300:
        raise RuntimeError(f"{method} {path} on {replica} answered {status}: {data[:300]}")
    return json.loads(data)


def other(replica):
    return REPLICAS[1 - REPLICAS.index(replica)]


def stop(name, seconds):
    """SIGTERM, then the exit code within `seconds` (or a note that it had to be killed)."""
    process = processes[name]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f"still running after {seconds} s"
