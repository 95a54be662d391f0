"""What the chaos suites share: the tally of checks and its last line, the calls
to the API and to Redis, the poster upload and the jobs on it, the checks on what
a completed job left behind, and the workers and processes a suite starts and stops.

The suites are scripts, run from the repository's root as `python3 chaos/<suite>.py`;
Python puts the script's folder first on sys.path, so `import chaoslib` finds this
file with no package and no install. The helpers read the stack's environment
(BASE_URL, DECOMPOSER, REDIS_URL, LOG_DIR, ...) when called, not on import: a suite
that has no use for a variable need not have it set (bad_input.py starts no worker,
so chaos/bad-input.sh sets no DECOMPOSER).
"""
import itertools
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib

# The Redis key prefix (a hash tag, so one cluster slot holds every key of the service).
PREFIX = "{decomposer}"
# The states a job does not leave; a suite stops waiting once every job is in one.
ENDED = ("completed", "failed", "cancelled")
results = {"passed": 0, "failed": 0}
_lock = threading.Lock()


def record(ok, what):
    """A failed check does not end the suite: every check runs and prints its line, so
    one run shows everything that broke. Locked, as bad_input.py records from threads."""
    with _lock:
        results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def finish(title):
    """The last line is what a person reads first in a long log; the exit code is what
    chaos/*.sh and scripts/test.sh act on."""
    print(f"{title}: {results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


def give_up_at(started):
    """A suite whose jobs stop moving must still end (its checks then fail) rather than
    hang a test run: LIMIT_SECONDS (default 600) after it started."""
    return started + float(os.environ.get("LIMIT_SECONDS", "600"))


def call(method, path, body=None, headers=None):
    """For the requests a suite needs to succeed (uploads, enqueues, status reads): an
    error status raises and ends the suite, since then the stack is broken, not a check."""
    request = urllib.request.Request(os.environ["BASE_URL"] + path, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def job_states(jobs):
    return [call("GET", f"/api/jobs/{job}")["status"] for job in jobs]


def multipart(parts, boundary="chaos"):
    """Built by hand, not by a library, so that bad_input.py can as easily send forms
    that are wrong on purpose. parts: (field name, file name or None, bytes)."""
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def sample_poster():
    return open(os.environ.get("POSTER", "assets/sample-poster.png"), "rb").read()


def upload_poster(poster, boundary):
    """Uploaded once: every job of a suite decomposes the same file, as the chaos is in
    the workers, Redis or the endpoint, not in the input."""
    form = multipart([("file", "p.png", poster)], boundary)
    return call("POST", "/api/upload", form, {"Content-Type": f"multipart/form-data; boundary={boundary}"})["file_id"]


def enqueue(file_id, index):
    """2 to 5 layers by turns, so the jobs take different times and the fleet's slots
    free up out of step, as with real traffic; 640, the smaller of the two resolutions,
    keeps the endpoint's CPU work short."""
    body = json.dumps({"file_id": file_id, "num_layers": 2 + index % 4, "resolution": 640}).encode()
    return call("POST", "/api/decompose", body, {"Content-Type": "application/json"})["job_id"]


def png_is_whole(path):
    """A layer a killed worker left half-written can still start with a good signature and
    IHDR; only every chunk's CRC, an IEND, and an IDAT stream that inflates to exactly the
    declared scanlines show that nothing was cut short or interleaved."""
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


def result_folder(job_id):
    """`{job_id}/{attempt}`: where a completed job's layers are under the results root (each
    attempt writes a folder of its own; the job records which one it completed with)."""
    attempt = redis("HGET", f"{PREFIX}:job:{job_id}", "result_attempt").strip()
    return f"{job_id}/{attempt}" if attempt else job_id


def broken_jobs(completed):
    """`completed` is worth only what is on disk behind it: the ids of the completed jobs
    (as the API returns them) missing a layer file or holding a layer that is not whole."""
    broken = []
    for job in completed:
        folder = os.path.join(os.environ["RESULTS_DIR"], result_folder(job["job_id"]))
        names = sorted(layer["filename"] for layer in job["layers"])
        if len(names) != job["num_layers"] or not all(png_is_whole(os.path.join(folder, name)) for name in names):
            broken.append(job["job_id"])
    return broken


def redis(*args):
    """Through redis-cli rather than a client library: the suites need nothing but python3
    and the redis-server package scripts/install-deps.sh already installs."""
    host, port = os.environ["REDIS_URL"].replace("redis://", "").split("/")[0].split(":")
    return subprocess.run(["redis-cli", "-h", host, "-p", port, "--raw", *args],
                          capture_output=True, text=True, timeout=30).stdout


def job_events(job):
    """The API shows a job's latest state only; what happened on the way (hand-backs, a
    second `completed`) is only in its event stream. redis-cli's raw XRANGE reply: entry
    ids, field names and values, one a line; the events are the lines that start with `{`."""
    return redis("XRANGE", f"{PREFIX}:job:{job}:events", "-", "+")


def completed_twice(jobs):
    """Two workers that both believe they hold a job (a lease taken back from one that was
    not dead) both finish it: the API still shows one `completed`, the stream two."""
    return [job for job in jobs if job_events(job).count('"status":"completed"') > 1]


_numbers = itertools.count()


def worker_log(index):
    return os.path.join(os.environ.get("LOG_DIR", "/tmp"), f"worker-{index}.log")


def start_worker(**environment):
    """Numbered in the order started, each with its own stderr log, kept after the run for
    whoever looks into a failure; worker-0 to worker-2 are always the first fleet, whose
    logs redis_restart.py and fault_storm.py read. environment: variables to override
    for this worker only (deploy.py points a fleet at another endpoint)."""
    log = open(worker_log(next(_numbers)), "w")
    return subprocess.Popen([os.environ["DECOMPOSER"], "worker"], stdout=subprocess.DEVNULL, stderr=log,
                            env=dict(os.environ, **environment))


def stop_workers(workers, seconds=60):
    """SIGTERM to every worker before waiting for any, so they wind down together as a
    fleet does in a deploy. One still running after `seconds` is killed and reported as
    such in place of an exit code: a hung worker fails its suite's check, not the run."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    codes = []
    for worker in workers:
        try:
            codes.append(worker.wait(timeout=seconds))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            codes.append(f"still running after {seconds} s")
    return codes


def gone(pid):
    """A process that has exited lingers as a zombie until its parent reaps it, and the
    parents here (the stack's shell; the suite, for a Redis it started again) reap only
    when the suite is over; `kill -0` would still find it. A zombie counts as exited."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def stop_process(pid, seconds, sig=signal.SIGTERM, every=0.1):
    """Waits for the exit as well as signalling: what a suite reads next is only complete
    then (an endpoint writes a request's log line when that request ends, Redis closes
    its AOF on exit). True if it is gone within `seconds`."""
    os.kill(pid, sig)
    limit = time.time() + seconds
    while not gone(pid) and time.time() < limit:
        time.sleep(every)
    return gone(pid)


def request_log(path):
    """An endpoint's --request-log: the endpoint's own count of what reached it, which the
    suites hold against what was billed and what the jobs counted."""
    return [json.loads(line) for line in open(path) if line.strip()]


def billed_calls():
    """(calls billed, of which failed) from `decomposer cost-report`, the operator's own view
    of the bill, so the books are checked where an operator reads them. Two days, since a
    run that crosses midnight (UTC) bills to both."""
    report = json.loads(subprocess.run([os.environ["DECOMPOSER"], "cost-report", "--days", "2", "--format", "json"],
                                       capture_output=True, text=True, check=True).stdout)
    return sum(day["requests"] for day in report["days"]), sum(day["failed_requests"] for day in report["days"])
