"""Chaos suite 1: the worker massacre. Three `decomposer worker` processes take
jobs from a 200 ms endpoint; every 2 s one of them, at random, is killed with
SIGKILL and a new one started. At the end every job must be `completed`, every
layer PNG on disk whole, and no job may have been reported `completed` twice
(read from its event stream). Prints `N passed, N failed`.

Expects the stack from chaos/worker-massacre.sh: BASE_URL (the API, no worker),
DECOMPOSER (the binary), REDIS_URL, RESULTS_DIR; JOBS (default 60), SEED.
"""
import os
import random
import signal
import time

from chaoslib import (ENDED, broken_jobs, call, completed_twice, enqueue, finish, give_up_at, job_states, record,
                      sample_poster, start_worker, upload_poster)

JOBS = int(os.environ.get("JOBS", "60"))
rng = random.Random(int(os.environ.get("SEED", "1")))

file_id = upload_poster(sample_poster(), "massacre")
jobs = [enqueue(file_id, index) for index in range(JOBS)]

workers = [start_worker() for _ in range(3)]
started, kills = time.time(), 0
deadline = give_up_at(started)
while time.time() < deadline:
    time.sleep(2)
    if all(state in ENDED for state in job_states(jobs)):
        break
    victim = rng.randrange(len(workers))
    workers[victim].send_signal(signal.SIGKILL)
    workers[victim].wait()
    kills += 1
    workers[victim] = start_worker()
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
broken = broken_jobs(completed)
record(not broken, f"every completed job's PNGs are whole and counted ({len(broken)} broken)")

twice = completed_twice(jobs)
record(not twice, f"no job was reported completed twice ({len(twice)} were)")
finish("worker massacre")
