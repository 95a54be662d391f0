"""Chaos suite 2: the Redis restart. Three `decomposer worker` processes take
jobs from a 200 ms endpoint; once a quarter of the jobs are done, Redis (AOF,
`appendfsync everysec`) is stopped for 5 s and started again on the same port
and data. While it is down the API must answer 503 with a JSON body at once
(readiness, enqueue, status) and stay alive; afterwards readiness must return
within seconds, no process may have exited, every job (those queued before and
after the outage) must end `completed` with whole layer PNGs, none reported
`completed` twice, and the books must balance: queue counters, empty queue
sets, and billed endpoint calls against the calls the jobs counted.
Prints `N passed, N failed`.

Redis is stopped with SIGTERM, as an operator or an orchestrator does: it
flushes the AOF before exiting, so nothing written before the stop may be
lost. REDIS_STOP=kill uses SIGKILL instead: `appendfsync everysec` may then
lose up to about a second of writes (Redis's documented bound), so that mode
does not demand that no job was taken back or that every billed call's record
survived — only that every job still completes and nothing is broken.

Expects the stack from chaos/redis-restart.sh: BASE_URL (the API, no worker),
API_PID, DECOMPOSER (the binary), REDIS_URL, REDIS_COMMAND (the server's command
line, one argument a line), RESULTS_DIR; JOBS (default 300), OUTAGE_SECONDS (5),
REDIS_STOP (term or kill).
"""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from chaoslib import (ENDED, PREFIX, broken_jobs, call, completed_twice, enqueue, finish, give_up_at, gone,
                      job_states, record, redis, sample_poster, start_worker, stop_process, stop_workers,
                      upload_poster, worker_log)

BASE = os.environ["BASE_URL"]
API_PID = int(os.environ["API_PID"])
JOBS = int(os.environ.get("JOBS", "300"))
OUTAGE = float(os.environ.get("OUTAGE_SECONDS", "5"))
HARD_STOP = os.environ.get("REDIS_STOP", "term") == "kill"
REDIS_COMMAND = os.environ["REDIS_COMMAND"].split("\n")


def answer(method, path, body=None, headers=None, timeout=5):
    """(status, JSON body or None, Retry-After, seconds) for any status; status 0 when no answer came in time."""
    request = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    started = time.time()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, retry = response.status, response.read(), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        status, raw, retry = error.code, error.read(), error.headers.get("Retry-After")
    except OSError:
        return 0, None, None, time.time() - started
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, parsed, retry, time.time() - started


def stop_redis():
    """Stops the server answering on the port and waits until it is gone (its AOF closed)."""
    pid = int(next(line.split(":")[1] for line in redis("INFO", "server").splitlines() if line.startswith("process_id:")))
    return stop_process(pid, 30, signal.SIGKILL if HARD_STOP else signal.SIGTERM, every=0.02)


def start_redis():
    """The same command line: same port, same --dir, so the AOF is loaded again."""
    # Not waited for here: the stack stops it on exit through the pid file it writes.
    subprocess.Popen(REDIS_COMMAND, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while redis("PING").strip() != "PONG" and time.time() < deadline:
        time.sleep(0.05)


def wait_until_finished(jobs, deadline):
    while time.time() < deadline:
        if all(state in ENDED for state in job_states(jobs)):
            return
        time.sleep(1)


file_id = upload_poster(sample_poster(), "restart")
jobs = [enqueue(file_id, index) for index in range(JOBS)]
workers = [start_worker() for _ in range(3)]
started = time.time()
deadline = give_up_at(started)
try:
    # Stop Redis mid-stream: a quarter of the jobs done, others running or waiting.
    while int(redis("HGET", f"{PREFIX}:queue:stats", "completed").strip() or 0) < max(JOBS // 4, 1) \
            and time.time() < deadline:
        time.sleep(0.1)
    running = int(redis("ZCARD", f"{PREFIX}:queue:active").strip() or 0)
    done_before = int(redis("HGET", f"{PREFIX}:queue:stats", "completed").strip() or 0)
    worker_logs = [worker_log(i) for i in range(3)]
    log_offsets = [os.path.getsize(path) for path in worker_logs]
    stopped = stop_redis()
    down_at = time.time()
    record(stopped, f"Redis stopped with {'SIGKILL' if HARD_STOP else 'SIGTERM'} "
           f"({done_before} of {JOBS} jobs done, {running} running)")

    # While it is down: every answer a prompt 503 with a JSON body; the API stays alive.
    some_job = jobs[-1]
    decompose_body = json.dumps({"file_id": file_id, "num_layers": 3, "resolution": 640}).encode()
    probes = {"GET /readyz": [], "POST /api/decompose": [], "GET /api/jobs/{id}": [], "GET /healthz": []}
    while time.time() < down_at + OUTAGE:
        probes["GET /readyz"].append(answer("GET", "/readyz"))
        probes["POST /api/decompose"].append(
            answer("POST", "/api/decompose", decompose_body, {"Content-Type": "application/json"}))
        probes["GET /api/jobs/{id}"].append(answer("GET", f"/api/jobs/{some_job}"))
        probes["GET /healthz"].append(answer("GET", "/healthz"))
        time.sleep(0.2)
    for name, answers in probes.items():
        wanted = 200 if name == "GET /healthz" else 503
        statuses = sorted({status for status, _, _, _ in answers})
        slowest = max(seconds for _, _, _, seconds in answers)
        if name in ("POST /api/decompose", "GET /api/jobs/{id}"):
            shaped = all(isinstance(body, dict) and body.get("error", {}).get("code") == "unavailable" and retry
                         for _, body, retry, _ in answers)
        elif name == "GET /readyz":
            shaped = all(isinstance(body, dict) and body.get("status") == "unavailable" for _, body, _, _ in answers)
        else:
            shaped = all(isinstance(body, dict) for _, body, _, _ in answers)
        record(statuses == [wanted] and shaped and slowest < 2,
               f"while Redis is down {name} answers {wanted} with a JSON body at once "
               f"({len(answers)} tries, statuses {statuses}, slowest {slowest * 1000:.0f} ms)")
    record(not gone(API_PID) and all(worker.poll() is None for worker in workers),
           "the API and every worker are alive while Redis is down")

    # Back on the same port and data after the outage.
    time.sleep(max(0.0, down_at + OUTAGE - time.time()))
    start_redis()
    up_at = time.time()
    ready_after = None
    while time.time() < up_at + 30:
        if answer("GET", "/readyz")[0] == 200:
            ready_after = time.time() - up_at
            break
        time.sleep(0.05)
    record(ready_after is not None and ready_after < 5,
           f"/readyz is 200 again {ready_after if ready_after is None else round(ready_after, 2)} s after Redis is back")
    known = [answer("GET", f"/api/jobs/{job}")[0] for job in jobs]
    record(known.count(200) == JOBS, f"every job survived the restart in the AOF ({known.count(200)} of {JOBS} found)")
    extra = [enqueue(file_id, index) for index in range(max(JOBS // 10, 5))]
    record(len(extra) == max(JOBS // 10, 5), f"{len(extra)} new jobs queued after the restart")

    wait_until_finished(jobs + extra, deadline)
    record(not gone(API_PID) and all(worker.poll() is None for worker in workers),
           f"no process exited (API {'gone' if gone(API_PID) else 'alive'}, workers' exit codes "
           f"{[worker.poll() for worker in workers]})")
    claimed_again = [open(path, "rb").read()[offset:].count(b"Completed") for path, offset in zip(worker_logs, log_offsets)]
    record(all(count > 0 for count in claimed_again),
           f"every worker completed jobs after Redis came back ({claimed_again})")
finally:
    codes = stop_workers(workers)
record(codes == [0, 0, 0], f"every worker stopped cleanly on SIGTERM (exit codes {codes})")
print(f"{JOBS} + {len(extra)} jobs, Redis down {OUTAGE:.0f} s, {time.time() - started:.0f} s in all", flush=True)

finals = [call("GET", f"/api/jobs/{job}") for job in jobs + extra]
completed = [job for job in finals if job["status"] == "completed"]
record(len(completed) == len(finals), f"every job completed ({len(completed)} of {len(finals)}; others: "
       f"{[(j['status'], j['message']) for j in finals if j['status'] != 'completed'][:3]})")
recoveries = sum(job["recoveries"] for job in finals)
if not HARD_STOP:
    record(recoveries == 0, f"no job had to wait out its lease: workers rode out the outage ({recoveries} recoveries)")
broken = broken_jobs(completed)
record(not broken, f"every completed job's PNGs are whole and counted ({len(broken)} broken)")
twice = completed_twice(jobs + extra)
record(not twice, f"no job was reported completed twice ({len(twice)} were)")

# The books: the queue's counters, its sets, and the GPU calls billed against those the jobs counted.
stats = dict(zip(*[iter(redis("HGETALL", f"{PREFIX}:queue:stats").split())] * 2))
total = len(finals)
record(int(stats.get("enqueued", 0)) == total and int(stats.get("completed", 0)) == total
       and int(stats.get("failed", 0)) == 0 and int(stats.get("cancelled", 0)) == 0,
       f"queue counters: {total} enqueued, {total} completed, none failed or cancelled ({stats})")
sets = {name: int(redis(command, f"{PREFIX}:queue:{name}").strip() or 0)
        for name, command in (("wait", "LLEN"), ("delayed", "ZCARD"), ("active", "ZCARD"), ("dead", "ZCARD"))}
record(not any(sets.values()), f"nothing left waiting, delayed, running or dead ({sets})")
day_keys = redis("KEYS", f"{PREFIX}:cost:*").split()
billed = {"requests": 0, "microdollars": 0, "failed_requests": 0}
for key in day_keys:
    fields = dict(zip(*[iter(redis("HGETALL", key).split())] * 2))
    for name in billed:
        billed[name] += int(fields.get(name, 0))
attempts = sum(job["attempts"] for job in finals)
job_micros = sum(int(redis("HGET", f"{PREFIX}:job:{job['job_id']}", "cost_micros").strip() or 0) for job in finals)
record(billed["microdollars"] == job_micros, f"the day's cost equals the jobs' costs "
       f"({billed['microdollars']} and {job_micros} micro-dollars)")
if HARD_STOP:
    print(f"after SIGKILL: {recoveries} recoveries, {attempts} endpoint calls counted, {billed['requests']} billed",
          flush=True)
else:
    record(billed["requests"] == attempts and billed["failed_requests"] == 0,
           f"every endpoint call the jobs counted was billed once ({attempts} counted, {billed['requests']} billed, "
           f"{billed['failed_requests']} failed)")
finish("redis restart")
