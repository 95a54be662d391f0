"""Chaos suite 4: deploy under load. Three `decomposer worker` processes (4 jobs
each, SHUTDOWN_GRACE_SECONDS=2, 30 s leases) take jobs; three times, every
worker gets SIGTERM and three new ones start at once, as in a rolling deploy:

1. once a quarter of the jobs are done: the new workers call a slow endpoint
   (10 s per answer);
2. 3 s later: the slow workers' calls outlast their 2 s grace, so their jobs
   are handed back mid-call; the new workers call the usual endpoint (300 ms
   added to each answer; it decomposes one poster at a time, so calls queue
   there too and some outlast the grace as well);
3. once 60% of the jobs are done: another roll to new workers.

Nothing may be lost: every job ends `completed`, exactly once (from its event
stream), with whole layer PNGs. Jobs must actually have been handed back
mid-call, and taken again by the new workers as soon as they had a free slot
— not after their lease expired (no job `recoveries`; each taken again within
half a lease, where waiting for the lease would take at least two thirds).
Every worker must exit 0 within its grace (plus a margin) after SIGTERM.

The books: every call that reached an endpoint (both endpoints' request logs,
one line per request however it ended, including those whose worker aborted
the call) was billed exactly once — billed requests == endpoint requests ==
the calls the jobs counted (`attempts`) — and every billed call either
completed its job or was cut short by a hand-back (billed as failed when
aborted). Prints `N passed, N failed`.

Expects the stack from chaos/deploy.sh: BASE_URL (the API, no worker),
DECOMPOSER (the binary), REDIS_URL, RESULTS_DIR, FAST_ENDPOINT, SLOW_ENDPOINT,
FAST_LOG, SLOW_LOG, FAST_PID, SLOW_PID, SHUTDOWN_GRACE_SECONDS,
JOB_LEASE_SECONDS; JOBS (default 60).
"""
import json
import os
import signal
import struct
import subprocess
import sys
import time
import urllib.request
import zlib

BASE = os.environ["BASE_URL"]
BINARY = os.environ["DECOMPOSER"]
RESULTS = os.environ["RESULTS_DIR"]
JOBS = int(os.environ.get("JOBS", "60"))
GRACE = float(os.environ.get("SHUTDOWN_GRACE_SECONDS", "2"))
LEASE = float(os.environ.get("JOB_LEASE_SECONDS", "30"))
SLOW_SECONDS = 3
results = {"passed": 0, "failed": 0}


def record(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def png_is_whole(path):
    """Every chunk's CRC, an IEND, and an IDAT stream that inflates to exactly the declared scanlines."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    offset, idat, width, height, seen_end = 8, b"", 0, 0, False
    while offset + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunk = data[offset + 8:offset + 8 + length]
        crc = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0]
        if zlib.crc32(kind + chunk) != crc:
            return False
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            seen_end = True
            break
        offset += 12 + length
    return seen_end and len(zlib.decompress(idat)) == height * (1 + width * 4)


spawned = 0


def start_worker(endpoint):
    global spawned
    log = open(os.path.join(os.environ.get("LOG_DIR", "/tmp"), f"worker-{spawned}.log"), "w")
    spawned += 1
    environment = dict(os.environ, VERTEX_AI_API_ENDPOINT=endpoint)
    return subprocess.Popen([BINARY, "worker"], stdout=subprocess.DEVNULL, stderr=log, env=environment)


def gone(pid):
    """True once the process has exited (a zombie of the shell that started it counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def stop_endpoint(pid):
    """Graceful stop: the endpoint finishes (and logs) the requests still running, then exits."""
    os.kill(pid, signal.SIGTERM)
    limit = time.time() + 60
    while not gone(pid) and time.time() < limit:
        time.sleep(0.1)


poster = open(os.environ.get("POSTER", "assets/sample-poster.png"), "rb").read()
boundary = "deploy"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n".encode()
        + poster + f"\r\n--{boundary}--\r\n".encode())
file_id = call("POST", "/api/upload", form, {"Content-Type": f"multipart/form-data; boundary={boundary}"})["file_id"]
jobs = []
for index in range(JOBS):
    body = json.dumps({"file_id": file_id, "num_layers": 2 + index % 4, "resolution": 640}).encode()
    jobs.append(call("POST", "/api/decompose", body, {"Content-Type": "application/json"})["job_id"])

fast, slow = os.environ["FAST_ENDPOINT"], os.environ["SLOW_ENDPOINT"]
# Each roll: when it happens (given the jobs completed and the time since the last roll), and where the new fleet calls.
rolls = [
    (lambda done, since: done >= JOBS // 4, slow),
    (lambda done, since: since >= SLOW_SECONDS, fast),
    (lambda done, since: done >= JOBS * 6 // 10, fast),
]
workers = [start_worker(fast) for _ in range(3)]
stopping = []  # (worker, time of SIGTERM, wave)
exits = []  # (wave, exit code, seconds from SIGTERM to exit)
started = last_roll = time.time()
deadline = started + float(os.environ.get("LIMIT_SECONDS", "600"))
completed = 0
while time.time() < deadline:
    time.sleep(0.25)
    for entry in list(stopping):
        worker, signalled, wave = entry
        if worker.poll() is not None:
            exits.append((wave, worker.returncode, time.time() - signalled))
            stopping.remove(entry)
    states = [call("GET", f"/api/jobs/{job}")["status"] for job in jobs]
    completed = states.count("completed")
    if all(state in ("completed", "failed", "cancelled") for state in states):
        break
    if rolls and rolls[0][0](completed, time.time() - last_roll):
        _, endpoint = rolls.pop(0)
        wave = 3 - len(rolls)
        now = time.time()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            stopping.append((worker, now, wave))
        workers = [start_worker(endpoint) for _ in range(3)]
        last_roll = now
        print(f"roll {wave} at {now - started:.1f} s ({completed} of {JOBS} completed): SIGTERM to 3 workers, "
              f"3 new ones on the {'slow' if endpoint == slow else '300 ms'} endpoint", flush=True)
elapsed = time.time() - started
now = time.time()
for worker in workers:
    worker.send_signal(signal.SIGTERM)
    stopping.append((worker, now, "final"))
for worker, signalled, wave in stopping:
    try:
        worker.wait(timeout=GRACE + 60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    exits.append((wave, worker.returncode, time.time() - signalled))
print(f"{JOBS} jobs, {3 - len(rolls)} rolls, in {elapsed:.0f} s", flush=True)

finals = [call("GET", f"/api/jobs/{job}") for job in jobs]
done = [job for job in finals if job["status"] == "completed"]
record(len(done) == JOBS, f"nothing lost: every job completed ({len(done)} of {JOBS}; others: "
       f"{[(j['status'], j['message']) for j in finals if j['status'] != 'completed'][:3]})")
record(len(rolls) == 0, f"all three rolls happened while jobs were running ({3 - len(rolls)} did)")
broken = []
for job in done:
    folder = os.path.join(RESULTS, job["job_id"])
    names = sorted(layer["filename"] for layer in job["layers"])
    if len(names) != job["num_layers"] or not all(png_is_whole(os.path.join(folder, name)) for name in names):
        broken.append(job["job_id"])
record(not broken, f"every completed job's PNGs are whole and counted ({len(broken)} broken)")
bad_exits = [(wave, code, round(took, 1)) for wave, code, took in exits if code != 0 or took > GRACE + 5]
record(len(exits) == 12 and not bad_exits,
       f"every worker exited 0 within the {GRACE:.0f} s grace (+5 s) of its SIGTERM ({len(exits)} workers; "
       f"slowest {max((took for _, _, took in exits), default=0):.1f} s; bad: {bad_exits[:4]})")

redis_url = os.environ["REDIS_URL"].replace("redis://", "").split("/")[0]
host, port = redis_url.split(":")
twice, handed_back, mid_call, while_saving, pickups, miscounted = [], 0, 0, 0, [], []
attempts_of = {job["job_id"]: job["attempts"] for job in finals}
for job in jobs:
    out = subprocess.run(["redis-cli", "-h", host, "-p", port, "--raw", "XRANGE", "{decomposer}:job:%s:events" % job, "-", "+"],
                         capture_output=True, text=True).stdout
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if sum(1 for event in events if event["status"] == "completed") != 1:
        twice.append(job)
    for index, event in enumerate(events):
        if event["status"] != "queued" or not event["message"].startswith("Worker stop"):
            continue
        handed_back += 1
        before = events[index - 1]["message"] if index > 0 else ""
        mid_call += before.startswith("Running on GPU")
        while_saving += before.startswith("Saving layers")
        taken = next((later for later in events[index + 1:] if later["status"] == "processing"), None)
        pickups.append(int(taken["updated_at"]) - int(event["updated_at"]) if taken else None)
    cut_short = sum(1 for index, event in enumerate(events) if index > 0 and event["status"] == "queued"
                    and event["message"].startswith("Worker stop")
                    and events[index - 1]["message"].startswith(("Running on GPU", "Saving layers")))
    if attempts_of[job] != 1 + cut_short:
        miscounted.append((job, attempts_of[job], cut_short))
record(not twice, f"every job was reported completed exactly once ({len(twice)} were not)")
record(not miscounted, f"each job's calls are the one that completed it plus one per hand-back during or after "
       f"a call ({len(miscounted)} are not: {miscounted[:3]})")
record(mid_call > 0, f"jobs were handed back on SIGTERM ({handed_back}; {mid_call} of them mid-call, "
       f"{while_saving} while saving)")
recoveries = sum(job["recoveries"] for job in finals)
slowest = max((p for p in pickups if p is not None), default=0) / 1000
# A job left to wait out its lease (renewed every third of it) could be recovered no sooner than 2/3 of a lease later.
record(recoveries == 0 and None not in pickups and slowest < LEASE / 2,
       f"handed-back jobs were taken again by the new workers, not after their lease expired ({recoveries} recoveries; "
       f"slowest pick-up {slowest:.1f} s, lease {LEASE:.0f} s)")

stop_endpoint(int(os.environ["FAST_PID"]))
stop_endpoint(int(os.environ["SLOW_PID"]))
requests = {name: [json.loads(line) for line in open(os.environ[name]) if line.strip()] for name in ("FAST_LOG", "SLOW_LOG")}
reached = len(requests["FAST_LOG"]) + len(requests["SLOW_LOG"])
print(f"     the endpoints saw {len(requests['FAST_LOG'])} + {len(requests['SLOW_LOG'])} (slow) requests", flush=True)
report = json.loads(subprocess.run([BINARY, "cost-report", "--days", "2", "--format", "json"],
                                   capture_output=True, text=True, check=True).stdout)
billed = sum(day["requests"] for day in report["days"])
billed_failed = sum(day["failed_requests"] for day in report["days"])
attempts = sum(job["attempts"] for job in finals)
record(billed == reached == attempts,
       f"every call that reached an endpoint was billed once: {reached} requests reached the endpoints, "
       f"{billed} were billed, the jobs counted {attempts} calls")
# Every call ends one way: its job completed, or a hand-back cut it short (aborted, billed as failed,
# or answered just before the grace ended, billed as succeeded without completing the job).
succeeded = billed - billed_failed
record(billed == len(done) + mid_call + while_saving and billed_failed <= mid_call and succeeded >= len(done),
       f"every billed call completed its job or was cut short by a hand-back ({billed} billed = {len(done)} "
       f"completed + {mid_call + while_saving} handed back during or after the call; {billed_failed} billed as failed)")
unbilled = [job["job_id"] for job in finals if not job["cost_usd"] > 0]
record(not unbilled, f"every job carries its cost ({len(unbilled)} do not)")
print(f"deploy under load: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
