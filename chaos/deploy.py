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
import subprocess
import time

from chaoslib import (ENDED, billed_calls, broken_jobs, call, enqueue, finish, give_up_at, job_events, job_states,
                      record, request_log, sample_poster, start_worker, stop_process, upload_poster)

JOBS = int(os.environ.get("JOBS", "60"))
GRACE = float(os.environ.get("SHUTDOWN_GRACE_SECONDS", "2"))
LEASE = float(os.environ.get("JOB_LEASE_SECONDS", "30"))
SLOW_SECONDS = 3


file_id = upload_poster(sample_poster(), "deploy")
jobs = [enqueue(file_id, index) for index in range(JOBS)]

fast, slow = os.environ["FAST_ENDPOINT"], os.environ["SLOW_ENDPOINT"]
# Each roll: when it happens (given the jobs completed and the time since the last roll), and where the new fleet calls.
rolls = [
    (lambda done, since: done >= JOBS // 4, slow),
    (lambda done, since: since >= SLOW_SECONDS, fast),
    (lambda done, since: done >= JOBS * 6 // 10, fast),
]
workers = [start_worker(VERTEX_AI_API_ENDPOINT=fast) for _ in range(3)]
stopping = []  # (worker, time of SIGTERM, wave)
exits = []  # (wave, exit code, seconds from SIGTERM to exit)
started = last_roll = time.time()
deadline = give_up_at(started)
completed = 0
while time.time() < deadline:
    time.sleep(0.25)
    for entry in list(stopping):
        worker, signalled, wave = entry
        if worker.poll() is not None:
            exits.append((wave, worker.returncode, time.time() - signalled))
            stopping.remove(entry)
    states = job_states(jobs)
    completed = states.count("completed")
    if all(state in ENDED for state in states):
        break
    if rolls and rolls[0][0](completed, time.time() - last_roll):
        _, endpoint = rolls.pop(0)
        wave = 3 - len(rolls)
        now = time.time()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            stopping.append((worker, now, wave))
        workers = [start_worker(VERTEX_AI_API_ENDPOINT=endpoint) for _ in range(3)]
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
broken = broken_jobs(done)
record(not broken, f"every completed job's PNGs are whole and counted ({len(broken)} broken)")
bad_exits = [(wave, code, round(took, 1)) for wave, code, took in exits if code != 0 or took > GRACE + 5]
record(len(exits) == 12 and not bad_exits,
       f"every worker exited 0 within the {GRACE:.0f} s grace (+5 s) of its SIGTERM ({len(exits)} workers; "
       f"slowest {max((took for _, _, took in exits), default=0):.1f} s; bad: {bad_exits[:4]})")

twice, handed_back, mid_call, while_saving, pickups, miscounted = [], 0, 0, 0, [], []
attempts_of = {job["job_id"]: job["attempts"] for job in finals}
for job in jobs:
    events = [json.loads(line) for line in job_events(job).splitlines() if line.startswith("{")]
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

# Graceful stops: each endpoint finishes (and logs) the requests still running, then exits.
stop_process(int(os.environ["FAST_PID"]), 60)
stop_process(int(os.environ["SLOW_PID"]), 60)
requests = {name: request_log(os.environ[name]) for name in ("FAST_LOG", "SLOW_LOG")}
reached = len(requests["FAST_LOG"]) + len(requests["SLOW_LOG"])
print(f"     the endpoints saw {len(requests['FAST_LOG'])} + {len(requests['SLOW_LOG'])} (slow) requests", flush=True)
billed, billed_failed = billed_calls()
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
finish("deploy under load")
