"""Chaos suite 1: the worker massacre. Three `decomposer worker` processes take
jobs from a 200 ms endpoint; every 2 s one of them, at random, is killed with
SIGKILL and a new one started. At the end every job must be `completed`, every
layer PNG on disk whole, and no job may have been reported `completed` twice
(read from its event stream). Prints `N passed, N failed`.

Expects the stack from chaos/worker-massacre.sh: BASE_URL (the API, no worker),
DECOMPOSER (the binary), REDIS_URL, RESULTS_DIR; JOBS (default 60), SEED.
"""
import json
import os
import random
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
rng = random.Random(int(os.environ.get("SEED", "1")))
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


def start_worker(index):
    log = open(os.path.join(os.environ.get("LOG_DIR", "/tmp"), f"worker-{index}.log"), "w")
    return subprocess.Popen([BINARY, "worker"], stdout=subprocess.DEVNULL, stderr=log)


poster = open(os.environ.get("POSTER", "assets/sample-poster.png"), "rb").read()
boundary = "massacre"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\r\n".encode()
        + poster + f"\r\n--{boundary}--\r\n".encode())
file_id = call("POST", "/api/upload", form, {"Content-Type": f"multipart/form-data; boundary={boundary}"})["file_id"]
jobs = []
for index in range(JOBS):
    body = json.dumps({"file_id": file_id, "num_layers": 2 + index % 4, "resolution": 640}).encode()
    jobs.append(call("POST", "/api/decompose", body, {"Content-Type": "application/json"})["job_id"])

workers = [start_worker(i) for i in range(3)]
started, kills, spawned = time.time(), 0, 3
deadline = started + float(os.environ.get("LIMIT_SECONDS", "600"))
while time.time() < deadline:
    time.sleep(2)
    states = [call("GET", f"/api/jobs/{job}")["status"] for job in jobs]
    if all(state in ("completed", "failed", "cancelled") for state in states):
        break
    victim = rng.randrange(len(workers))
    workers[victim].send_signal(signal.SIGKILL)
    workers[victim].wait()
    kills += 1
    workers[victim] = start_worker(spawned)
    spawned += 1
for worker in workers:
    worker.send_signal(signal.SIGTERM)
for worker in workers:
    worker.wait(timeout=60)
print(f"{JOBS} jobs, {kills} workers killed with SIGKILL in {time.time() - started:.0f} s", flush=True)

finals = [call("GET", f"/api/jobs/{job}") for job in jobs]
completed = [job for job in finals if job["status"] == "completed"]
record(len(completed) == JOBS, f"every job completed ({len(completed)} of {JOBS}; others: "
       f"{[(j['status'], j['message']) for j in finals if j['status'] != 'completed'][:3]})")
record(sum(job["recoveries"] for job in finals) > 0 or kills == 0, f"jobs were recovered from killed workers "
       f"({sum(job['recoveries'] for job in finals)} recoveries)")
broken = []
for job in completed:
    folder = os.path.join(RESULTS, job["job_id"])
    names = sorted(layer["filename"] for layer in job["layers"])
    if len(names) != job["num_layers"] or not all(png_is_whole(os.path.join(folder, name)) for name in names):
        broken.append(job["job_id"])
record(not broken, f"every completed job's PNGs are whole and counted ({len(broken)} broken)")

redis_url = os.environ["REDIS_URL"].replace("redis://", "").split("/")[0]
host, port = redis_url.split(":")
twice = []
for job in jobs:
    out = subprocess.run(["redis-cli", "-h", host, "-p", port, "--raw", "XRANGE", "{decomposer}:job:%s:events" % job, "-", "+"],
                         capture_output=True, text=True).stdout
    if out.count('"status":"completed"') > 1:
        twice.append(job)
record(not twice, f"no job was reported completed twice ({len(twice)} were)")
print(f"worker massacre: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
