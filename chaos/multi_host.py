"""The multi-host test (issue 19): the service run as a small cluster of hosts that share
nothing but the network — each host a network namespace with its own empty folders,
reaching the others only over a veth link to one bridge:

  redis      redis-server
  storage    fake-gcs-server (the Cloud Storage stand-in) and the local prediction endpoint
             (300-500 ms added to each answer; it logs every request)
  api-a/b    one `decomposer api` each (STORAGE_BACKEND=gcs), no worker
  workers-1  two `decomposer worker`s; workers-2: one (2 jobs each, 4 s leases)
  client     this script: the only client, reaching the hosts over its own link

JOBS jobs are submitted round-robin to the two API replicas, each on a poster uploaded
through the other replica; each job is watched over WebSocket on the replica that did not
take it, and its layers are downloaded from that replica at the end. During the run:

1. once some jobs are done and workers-1's workers are running jobs, workers-1's link is
   cut (set down on the bridge) for 10 s: its leases expire, workers-2 recovers its jobs,
   and when the link is back its late writes are refused by the lease token (fencing);
2. 4 s into the cut (sooner if only a quarter of the jobs are left), api-a is killed with SIGKILL: its watchers must reconnect (to api-b)
   and still see their jobs end; 8 s later api-a is started again (as an orchestrator would),
   so the jobs api-b took can be downloaded from the other replica at the end.

Checks: every job completed exactly once (its event stream, the queue's counters, the
endpoint's request log against the jobs' attempts and the bill), every watcher saw its job
end with no gap or duplicate in the versions, the cut host's leases were taken over and
its late writes refused, every layer served by the other replica is byte for byte the
object in the bucket (read through the emulator's JSON API) and a whole PNG, no host wrote
anything to its local folders, and every worker exited 0 on SIGTERM.

Expects from chaos/multi-host.sh (run inside the client namespace): NAMESPACE (the hosts'
namespaces are NAMESPACE-<host>), ADDRESSES ("host=ip ..."), DECOMPOSER, FAKE_GCS_SERVER,
WORK (a folder per host under WORK/hosts), LOG_DIR; JOBS (default 40), LIMIT_SECONDS.
"""
import calendar
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse

from chaoslib import (ENDED, PREFIX, billed_calls, finish, give_up_at, job_events, multipart, png_is_whole, record,
                      redis, request_log, sample_poster)
from ws_client import Closed, WebSocket

JOBS = int(os.environ.get("JOBS", "40"))
NAMESPACE = os.environ["NAMESPACE"]
ADDRESS = dict(pair.split("=") for pair in os.environ["ADDRESSES"].split())
DECOMPOSER = os.environ["DECOMPOSER"]
WORK, LOG_DIR = os.environ["WORK"], os.environ["LOG_DIR"]
LEASE_SECONDS, CUT_SECONDS, KILL_AFTER_CUT, RESTART_AFTER_KILL = 4, 10, 4, 8
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


# ---- the client's side ------------------------------------------------------------------------

def api(replica, method, path, body=None, headers=None):
    """A request the run needs to succeed: an error status ends the run (the cluster is broken)."""
    status, _, data = request(ADDRESS[replica], API_PORT, method, path, body, headers)
    if status >= 300:
        raise RuntimeError(f"{method} {path} on {replica} answered {status}: {data[:300]}")
    return json.loads(data)


def other(replica):
    return REPLICAS[1 - REPLICAS.index(replica)]


class Watcher(threading.Thread):
    """Follows one job over WebSocket, first on the replica that did not take it; when the
    connection ends before the job does (a killed replica), it connects again, to the other
    replica first, and catches up from the snapshot the server sends on connect. Records every
    connection: (replica, versions received, close code — None when it broke without one,
    "refused" when it could not connect —, opened, ended)."""

    def __init__(self, job, taker, deadline):
        super().__init__(daemon=True)
        self.job, self.taker, self.deadline = job, taker, deadline
        self.connections = []
        self.current = None  # the replica it is connected to now
        self.final = None  # the last message, once it says the job ended
        self.problems = []  # versions out of order: a gap, a repeat or a step back
        self.pings = 0  # the server's keep-alive pings answered

    def run(self):
        replica = other(self.taker)
        last_version = 0
        while self.final is None and time.time() < self.deadline:
            versions, code = [], None
            try:
                socket = WebSocket(ADDRESS[replica], API_PORT, f"/ws/status/{self.job}", timeout=10)
            except (OSError, Closed):
                self.connections.append((replica, versions, "refused", time.time(), time.time()))
                replica = other(replica)
                time.sleep(0.5)
                continue
            self.current, opened = replica, time.time()
            try:
                while True:
                    # The server pings every 30 s: a minute without a frame is a connection that is gone.
                    message = json.loads(socket.receive(self.deadline, idle=60))
                    version = int(message["version"])
                    if versions and version != versions[-1] + 1:
                        self.problems.append(f"{versions[-1]} then {version} on {replica}")
                    elif not versions and version < last_version:
                        self.problems.append(f"snapshot {version} after {last_version} on {replica}")
                    versions.append(version)
                    last_version = version
                    if message["status"] in ENDED:
                        self.final = message
            except Closed as closed:
                code = closed.code
            except (TimeoutError, OSError) as error:
                code = f"{type(error).__name__}"
            finally:
                socket.close()
                self.current = None
                self.pings += socket.pings
            self.connections.append((replica, versions, code, opened, time.time()))
            if self.final is None:
                replica = other(replica)
                time.sleep(0.2)


# ---- the books --------------------------------------------------------------------------------

def log_lines(name, ending):
    """Job ids of the lines of a process's log whose message is `ending` (swift-log's stream
    format: `<time> <level> <label> : <metadata> [<source>] <message>`)."""
    ids = []
    with open(os.path.join(LOG_DIR, f"{name}.log"), errors="replace") as log:
        for line in log:
            if line.rstrip().endswith("] " + ending):
                found = re.search(r"job_id=([0-9a-f-]{36})", line)
                if found:
                    ids.append(found.group(1))
    return ids


def events_of(job):
    """The job's event stream as dicts (raw hash fields: `updated_at` in ms)."""
    return [json.loads(line) for line in job_events(job).splitlines() if line.startswith("{")]


def bucket_object(name):
    """An object's bytes straight from the emulator's JSON API, bypassing the service."""
    status, _, body = request(ADDRESS["storage"], GCS_PORT, "GET",
                              f"/storage/v1/b/{BUCKET}/o/{urllib.parse.quote(name, safe='')}?alt=media")
    return body if status == 200 else None


def bucket_metadata(name):
    status, _, body = request(ADDRESS["storage"], GCS_PORT, "GET",
                              f"/storage/v1/b/{BUCKET}/o/{urllib.parse.quote(name, safe='')}")
    return json.loads(body) if status == 200 else None


def rfc3339_ms(text):
    """Milliseconds since 1970 of Cloud Storage's `2026-12-06T03:38:15.814922Z`; None if not that."""
    found = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z", text)
    if not found:
        return None
    seconds = calendar.timegm(tuple(int(part) for part in found.groups()[:6]))
    return int(seconds * 1000 + float(found.group(7) or 0) * 1000)


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


def main():
    started = time.time()
    deadline = give_up_at(started)
    start_cluster()
    record(True, f"the cluster is up on 7 hosts: Redis, the bucket and the endpoint, 2 API replicas, "
           f"3 workers on 2 hosts ({time.time() - started:.0f} s)")
    routes = {host: subprocess.run(["ip", "-n", f"{NAMESPACE}-{host}", "route", "show", "default"],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
              for host in [*ADDRESS, "switch"]}
    record(not any(routes.values()), f"no host has a default route ({[h for h, r in routes.items() if r]} do)")

    # Uploads through one replica, jobs through the other: the upload is only in the bucket.
    poster = sample_poster()
    uploaded = {}
    for replica in REPLICAS:
        form = multipart([("file", "poster.png", poster)], "multihost")
        uploaded[replica] = api(replica, "POST", "/api/upload", form,
                                {"Content-Type": "multipart/form-data; boundary=multihost"})["file_id"]
    jobs, taker, watchers = [], {}, {}
    for index in range(JOBS):
        replica = REPLICAS[index % 2]
        body = json.dumps({"file_id": uploaded[other(replica)], "num_layers": 2 + index % 4, "resolution": 640})
        job = api(replica, "POST", "/api/decompose", body.encode(), {"Content-Type": "application/json"})["job_id"]
        jobs.append(job)
        taker[job] = replica
        watchers[job] = Watcher(job, replica, deadline)
        watchers[job].start()
    say(f"{JOBS} jobs submitted round-robin to {' and '.join(REPLICAS)} in {time.time() - started:.0f} s")

    def ended():
        return sum(1 for watcher in watchers.values() if watcher.final is not None)

    # 1. The cut, once some jobs are done and the host's workers are running jobs.
    cut_at = killed_at = restarted_at = restored_at = None
    held_at_cut, open_on_a = 0, []
    while time.time() < deadline and ended() < JOBS:
        now = time.time()
        if cut_at is None and ended() >= max(2, JOBS // 10):
            held_at_cut = in_flight(CUT_HOST)
            if held_at_cut > 0:
                set_link(CUT_HOST, "down")
                cut_at = now
                say(f"{now - started:.1f} s: {CUT_HOST}'s link cut ({ended()} of {JOBS} jobs ended; "
                    f"its workers were running {held_at_cut:.0f} jobs)")
        elif cut_at and killed_at is None and (now >= cut_at + KILL_AFTER_CUT or JOBS - ended() <= JOBS // 4):
            open_on_a = [job for job, watcher in watchers.items() if watcher.current == "api-a" and watcher.final is None]
            processes["api-a"].kill()
            processes["api-a"].wait()
            killed_at = now
            say(f"{now - started:.1f} s: api-a killed with SIGKILL ({len(open_on_a)} watchers open on it, "
                f"{ended()} of {JOBS} jobs ended)")
        if cut_at and restored_at is None and now >= cut_at + CUT_SECONDS:
            set_link(CUT_HOST, "up")
            restored_at = now
            say(f"{now - started:.1f} s: {CUT_HOST}'s link back after {now - cut_at:.1f} s ({ended()} of {JOBS} jobs ended)")
        if killed_at and restarted_at is None and now >= killed_at + RESTART_AFTER_KILL:
            start_api("api-a")
            restarted_at = time.time()
            say(f"{restarted_at - started:.1f} s: api-a started again, ready in {restarted_at - now:.1f} s")
        time.sleep(0.25)
    # Whatever ended the loop, the link comes back and api-a runs again before the checks.
    if cut_at and restored_at is None:
        time.sleep(max(0, cut_at + CUT_SECONDS - time.time()))
        set_link(CUT_HOST, "up")
        restored_at = time.time()
    if killed_at and restarted_at is None:
        time.sleep(max(0, killed_at + RESTART_AFTER_KILL - time.time()))
        start_api("api-a")
        restarted_at = time.time()
    for watcher in watchers.values():
        watcher.join(timeout=max(1, deadline - time.time()))
    elapsed = time.time() - started
    say(f"{ended()} of {JOBS} jobs ended in {elapsed:.0f} s")
    # The cut host's workers notice their lost leases once the link is back, then let go.
    try:
        wait_until(lambda: in_flight() == 0, 60, "every worker idle")
    except RuntimeError as error:
        record(False, str(error))

    record(cut_at is not None, f"{CUT_HOST}'s link was cut for {CUT_SECONDS} s while its workers ran "
           f"{held_at_cut:.0f} jobs")
    record(killed_at is not None and len(open_on_a) > 0,
           f"api-a was killed with SIGKILL while {len(open_on_a)} watchers were connected to it")

    # Every job completed exactly once.
    finals = {job: api(other(taker[job]), "GET", f"/api/jobs/{job}") for job in jobs}
    done = [job for job in jobs if finals[job]["status"] == "completed"]
    record(len(done) == JOBS, f"every job completed ({len(done)} of {JOBS}; others: "
           f"{[(finals[j]['status'], finals[j]['message']) for j in jobs if j not in done][:3]})")
    disagree = [job for job in jobs if api(taker[job], "GET", f"/api/jobs/{job}") != finals[job]]
    record(not disagree, f"both replicas show every job alike ({len(disagree)} differ)")
    twice = [job for job in jobs if job_events(job).count('"status":"completed"') != 1]
    record(not twice, f"every job's event stream has exactly one `completed` ({len(twice)} do not)")
    stats = dict(zip(*[iter(redis("HGETALL", f"{PREFIX}:queue:stats").split())] * 2))
    leftovers = {key: redis(kind, f"{PREFIX}:queue:{key}", *extra).strip()
                 for key, kind, extra in (("wait", "LLEN", ()), ("active", "ZCARD", ()), ("delayed", "ZCARD", ()))}
    record(int(stats.get("completed", 0)) == JOBS and not stats.get("failed") and set(leftovers.values()) == {"0"},
           f"the queue counted {stats.get('completed', 0)} completions for {JOBS} jobs, no failure, "
           f"nothing left waiting, running or delayed ({stats}, {leftovers})")

    # The watchers.
    unfinished = [job for job in jobs if (watchers[job].final or {}).get("status") != "completed"]
    record(not unfinished, f"every watcher saw its job end `completed` ({len(unfinished)} did not: "
           f"{[(j, watchers[j].connections[-1:]) for j in unfinished[:2]]})")
    # (unless the kill fell between the last message and the close frame)
    unclosed = [job for job in jobs if watchers[job].final and watchers[job].connections[-1][2] != 1000
                and not (watchers[job].connections[-1][0] == "api-a" and watchers[job].connections[-1][2] is None
                         and killed_at and watchers[job].connections[-1][3] <= killed_at <= watchers[job].connections[-1][4])]
    record(not unclosed, f"the connection that delivered each job's end then closed with 1000 ({len(unclosed)} did not: "
           f"{[(watchers[j].connections[-1][0], watchers[j].connections[-1][2]) for j in unclosed[:3]]})")
    disordered = {job: watchers[job].problems for job in jobs if watchers[job].problems}
    record(not disordered, f"no watcher saw a gap, a repeat or a step back in its job's versions, across reconnects "
           f"too ({len(disordered)} did: {list(disordered.items())[:2]})")
    moved, stranded = [], []
    for job in open_on_a:
        # The connection the kill cut, then the next one that got through: on api-b, to the end.
        connections = watchers[job].connections
        cut = [i for i, c in enumerate(connections) if c[0] == "api-a" and c[3] <= killed_at <= c[4]]
        later = [c for c in connections[cut[0] + 1:] if c[2] != "refused"] if cut else []
        (moved if later and later[0][0] == "api-b" and watchers[job].final else stranded).append(job)
    record(bool(open_on_a) and not stranded,
           f"every watcher cut off by the kill reconnected to api-b and saw its job end ({len(moved)} of "
           f"{len(open_on_a)}; stranded: {[(j, watchers[j].connections) for j in stranded[:2]]})")
    endings = {}
    for job in jobs:
        for replica, _, code, _, _ in watchers[job].connections[:-1]:
            endings[f"{replica} {code}"] = endings.get(f"{replica} {code}", 0) + 1
    say(f"the watchers' connections that ended before their jobs, by replica and close code: {endings}; "
        f"pings answered: {sum(watcher.pings for watcher in watchers.values())}")

    # The cut host: its leases taken over, its late writes refused, nothing lost.
    # Calls each worker made that reached the endpoint (each then billed), read before they stop.
    calls = {name: worker_metric(host, port, "decomposer_worker_endpoint_call_duration_seconds_count")
             for name, host, port in WORKERS}
    exits = {name: stop(name, 60) for name, _, _ in WORKERS}
    record(all(code == 0 for code in exits.values()), f"every worker exited 0 on SIGTERM, the cut ones too ({exits})")
    recovered = [job for job in jobs if finals[job]["recoveries"] > 0]
    cut_ms, restored_ms = int((cut_at or 0) * 1000), int((restored_at or 0) * 1000)
    recoveries_during_cut = sum(1 for job in recovered for event in events_of(job)
                                if event["message"].startswith("Worker stopped responding")
                                and cut_ms <= int(event["updated_at"]) <= restored_ms)
    record(recoveries_during_cut > 0, f"while {CUT_HOST} was cut off its leases expired and its jobs were queued "
           f"again ({recoveries_during_cut} recoveries during the cut; {len(recovered)} jobs recovered in all, "
           f"{stats.get('recoveries', 0)} recoveries)")
    cut_workers = [name for name, host, _ in WORKERS if host == CUT_HOST]
    completer = {job: name for name, _, _ in WORKERS for job in log_lines(name, "Completed")}
    taken_over = [job for job in recovered if completer.get(job) not in cut_workers]
    say(f"of the {len(recovered)} recovered jobs, {len(taken_over)} were completed on another host, "
        f"{len(recovered) - len(taken_over)} by {CUT_HOST} after it came back")
    record(bool(taken_over), f"the other host's worker took over {CUT_HOST}'s jobs ({len(taken_over)} completed there)")
    refused = sorted({job for name in cut_workers for job in log_lines(name, "Stopped: the job is no longer ours")})
    taken = [job for job in refused if job in recovered]
    # Not all refusals are of jobs taken away: a worker whose own `complete` went through while a
    # renewal was held up by the cut can find its finished job "no longer ours" too.
    others = [(job, completer.get(job)) for job in refused if job not in recovered]
    record(bool(taken), f"back on the network, {CUT_HOST}'s workers had their writes refused for the jobs taken "
           f"from them ({len(taken)} jobs logged 'Stopped: the job is no longer ours'; also for jobs not taken "
           f"away, with who completed them: {others})")
    completions = [job for name, _, _ in WORKERS for job in log_lines(name, "Completed")]
    repeated = sorted({job for job in completions if completions.count(job) > 1})
    record(len(completions) <= JOBS and not repeated, f"no worker believes it completed a job another completed "
           f"({len(completions)} completions logged for {JOBS} jobs; twice: {repeated})")

    # The endpoint's own count against the jobs' attempts, and the bill against the workers' own count.
    code = stop("endpoint", 60)
    requests = request_log(os.path.join(LOG_DIR, "requests.jsonl"))
    attempts = sum(finals[job]["attempts"] for job in jobs)
    ok = sum(1 for line in requests if line["outcome"] == "ok")
    billed, billed_failed = billed_calls()
    made = sum(figure or 0 for figure in calls.values())
    unrecorded = sum(len(log_lines(name, "Could not record the attempt's cost")) for name, _, _ in WORKERS)
    say(f"the endpoint saw {len(requests)} requests ({ok} ok; exit {code}); the jobs counted {attempts} calls; the "
        f"workers made {made:.0f} ({calls}); {billed} were billed ({billed_failed} as failed)")
    # A call is counted (a fenced write) before it is sent, so no request goes uncounted; a call
    # the cut caught between the two may never have arrived: at most one per job taken away.
    record(len(requests) <= attempts <= len(requests) + len(recovered) and ok >= JOBS,
           f"every request to the endpoint was a call a job counted, and every counted call arrived but for "
           f"those the cut caught ({len(requests)} requests, {attempts} counted, {len(recovered)} jobs taken away)")
    # A cost record logged as failed may still have landed (its reply lost in the cut).
    record(None not in calls.values() and made - unrecorded <= billed <= made,
           f"every call the workers made was billed once, also those of {CUT_HOST} that ended after their jobs "
           f"were taken away ({billed} billed; {made:.0f} made, {unrecorded} cost records logged as failed)")
    unbilled = [job for job in done if not finals[job]["cost_usd"] > 0]
    record(not unbilled, f"every job carries its cost ({len(unbilled)} do not)")

    # Every layer, from the replica that did not take the job, against the bucket.
    mismatched, broken, counted, rewritten = [], [], 0, []
    scratch = os.path.join(WORK, "client-check.png")
    # When each job completed, to the millisecond (the job JSON has whole seconds): Redis's own field.
    completed_ms = {job: int(redis("HGET", f"{PREFIX}:job:{job}", "updated_at")) for job in done}
    for job in done:
        final = finals[job]
        if len(final["layers"]) != final["num_layers"]:
            broken.append((job, "layer count"))
        for layer in final["layers"]:
            status, _, served = request(ADDRESS[other(taker[job])], API_PORT, "GET", layer["url"])
            name = f"results/{job}/{layer['filename']}"
            stored = bucket_object(name)
            counted += 1
            if status != 200 or stored is None or served != stored:
                mismatched.append((job, layer["filename"], status, len(served), stored and len(stored)))
                continue
            with open(scratch, "wb") as file:
                file.write(served)
            if not png_is_whole(scratch):
                broken.append((job, layer["filename"]))
            # Information: a layer object written again after its job completed (a fenced-out
            # worker's upload that was in flight; same bytes here, the local endpoint being
            # deterministic). Not a check: the service does not fence bucket writes.
            updated = rfc3339_ms((bucket_metadata(name) or {}).get("updated", ""))
            if updated and updated > completed_ms[job]:
                rewritten.append((job, layer["filename"]))
    record(counted > 0 and not mismatched, f"every layer served by the replica that did not take its job is byte for "
           f"byte the object in the bucket ({counted} layers; {len(mismatched)} differ: {mismatched[:3]})")
    record(not broken, f"every layer is a whole PNG and every job has its layers ({len(broken)} not: {broken[:3]})")
    if rewritten:
        say(f"note: {len(rewritten)} layer objects were written again after their job completed "
            f"(a fenced-out worker's upload in flight; same bytes): {rewritten[:3]}")

    # Nothing shared through a disk.
    written = [os.path.join(root, name) for host in ADDRESS for folder in ("uploads", "results")
               for root, _, names in os.walk(host_folder(host, folder)) for name in names]
    record(not written, f"no host wrote to its UPLOADS_DIR or RESULTS_DIR ({written[:3]})")
    say(f"{JOBS} jobs in {elapsed:.0f} s")


try:
    main()
except (RuntimeError, OSError, KeyError, ValueError) as error:
    record(False, f"the run could not go on: {type(error).__name__}: {error}")
finish("multi-host")
