"""Chaos suite 3: the fault storm. Three `decomposer worker` processes (4 jobs
each) take jobs from an endpoint that answers 30% of calls with 429 (Retry-After
1 s), 10% with 503, hangs on 5% well past the workers' 3 s timeout and sends a
cut-off body on 5%. Every job must end `completed` (with whole layer PNGs) or
`failed` with a message that names the cause; none may be left `processing`
or queued; every worker must exit 0 on SIGTERM. Prints `N passed, N failed`.

The books: the endpoint's request log (`--request-log`, one line per request
however it ended, hangs included once the endpoint has stopped) must count
exactly the calls the cost records billed and the calls the jobs counted
(`attempts`), and the billed failures must be the requests that did not end
in a usable answer.

The fleet backs off (the 429 checks read the endpoint's request log, not the
workers' word):
- After every 429, no request reaches the endpoint from any worker until the
  Retry-After is over. The 429's answer time T is its arrival plus its
  duration; the worker that got it pauses the whole fleet in Redis, so no
  request may arrive between T + 0.3 s and T + Retry-After - 0.05 s. The 0.3 s
  allows for calls that read the pause just before it was set and were still
  on their way. A fleet where only the rate-limited job waits fails this at
  once: its other 11 slots keep calling several times a second.
- The 429 rate drops after the first burst. The first burst is what the fleet
  sent before the first 429 was answered: every slot at once, at full speed.
  From then on it calls in at most one burst per Retry-After, so its 429s per
  second over the rest of the storm (leaving out the calls still on their way
  when the first 429 was answered) must be at most half of the first burst's.
  A fleet where only the rate-limited job waits keeps its full speed (each
  slot calls again as soon as it has an answer, every 0.1-0.5 s here) and fails.
  The poster is small, so that a normal answer is quick and full speed is fast.

Expects the stack from chaos/fault-storm.sh: BASE_URL (the API, no worker),
DECOMPOSER (the binary), REDIS_URL, RESULTS_DIR, REQUEST_LOG, RETRY_AFTER,
ENDPOINT_PID, VERTEX_AI_TIMEOUT; JOBS (default 60).
"""
import os
import re
import struct
import time
import zlib

from chaoslib import (ENDED, billed_calls, broken_jobs, call, enqueue, finish, give_up_at, job_states, record,
                      request_log, start_worker, stop_process, stop_workers, upload_poster, worker_log)

JOBS = int(os.environ.get("JOBS", "60"))
RETRY_AFTER = float(os.environ.get("RETRY_AFTER", "1"))
TIMEOUT = float(os.environ.get("VERTEX_AI_TIMEOUT", "3"))
# How long a call that read the fleet pause just before it was set may still take to arrive.
IN_FLIGHT = 0.3


def small_poster(width=192, height=256):
    """A small poster (title strokes, a subject, a graded background) as an RGB PNG: its normal answers
    take the endpoint a few milliseconds, so the fleet's pace is set by its backing off, not by the
    endpoint's one compute thread."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if 20 <= y < 44 and 16 <= x < 176 and (x // 6) % 2 == 0:
                row += bytes((250, 245, 235))
            elif 70 <= y < 220 and 40 <= x < 152:
                row += bytes((200, 60 + (y - 70) // 3, 40))
            else:
                row += bytes((30, 60 + y // 4, 120))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


file_id = upload_poster(small_poster(), "storm")
# The workers wait for work before the jobs come, so the first burst is the whole fleet at once, not
# the order in which three processes happened to start.
workers = [start_worker() for _ in range(3)]
ready_by = time.time() + 60
logs = [worker_log(i) for i in range(3)]
while not all("Worker ready" in open(log).read() for log in logs) and time.time() < ready_by:
    time.sleep(0.1)
time.sleep(0.5)
started = time.time()
jobs = [enqueue(file_id, index) for index in range(JOBS)]
deadline = give_up_at(started)
while time.time() < deadline:
    time.sleep(1)
    if all(state in ENDED for state in job_states(jobs)):
        break
elapsed = time.time() - started
codes = stop_workers(workers)
print(f"{JOBS} jobs through the storm in {elapsed:.0f} s", flush=True)

finals = [call("GET", f"/api/jobs/{job}") for job in jobs]
by_status = {}
for job in finals:
    by_status[job["status"]] = by_status.get(job["status"], 0) + 1
ended = [job for job in finals if job["status"] in ("completed", "failed")]
record(len(ended) == JOBS, f"every job ended completed or failed ({by_status})")
record(not any(job["status"] == "processing" for job in finals),
       f"no job left processing ({by_status.get('processing', 0)} were)")
failed = [job for job in finals if job["status"] == "failed"]
cause = re.compile(r"429|rate limit|503|unavailable|timed out|malformed", re.IGNORECASE)
unreadable = [job for job in failed
              if not (job["error"] and job["error"].get("code") and cause.search(job["error"].get("message", ""))
                      and job["message"].startswith("Failed: ") and cause.search(job["message"]))]
reasons = {}
for job in failed:
    code = (job["error"] or {}).get("code")
    reasons[code] = reasons.get(code, 0) + 1
record(not unreadable, f"every failed job says why ({len(failed)} failed: {reasons}; unreadable: "
       f"{[(j['message'], j['error']) for j in unreadable][:3]})")
if failed:
    print(f"     e.g. \"{failed[0]['message']}\"", flush=True)
broken = broken_jobs([job for job in finals if job["status"] == "completed"])
record(not broken, f"every completed job's PNGs are whole and counted "
       f"({by_status.get('completed', 0)} completed, {len(broken)} broken)")
record(codes == [0, 0, 0], f"every worker exited 0 on SIGTERM ({codes})")

# The endpoint writes a request's line when the request ends: stop it (ending hangs) before reading.
stop_process(int(os.environ["ENDPOINT_PID"]), 30)
requests = request_log(os.environ["REQUEST_LOG"])
outcomes = {}
for line in requests:
    outcomes[line["outcome"]] = outcomes.get(line["outcome"], 0) + 1
print(f"     the endpoint saw {len(requests)} requests: {outcomes}", flush=True)
record(all(outcomes.get(kind, 0) > 0 for kind in ("ok", "rate-limited", "unavailable", "hang", "malformed-body")),
       "the storm hit with every kind of fault")

billed, billed_failed = billed_calls()
attempts = sum(job["attempts"] for job in finals)
record(billed == len(requests) == attempts,
       f"the books balance: {len(requests)} requests reached the endpoint, {billed} were billed, "
       f"the jobs counted {attempts} calls")
not_ok = len(requests) - outcomes.get("ok", 0)
# An answer the endpoint finished just past the client's timeout reached nobody: the worker bills it as failed.
late = sum(1 for line in requests if line["outcome"] == "ok" and line["duration_ms"] >= TIMEOUT * 1000 - 200)
record(not_ok <= billed_failed <= not_ok + late,
       f"billed failures are the requests without a usable answer ({billed_failed} billed failed, "
       f"{not_ok} answered with a fault, {late} answered at the timeout)")
unbilled = [job["job_id"] for job in finals if job["attempts"] > 0 and not job["cost_usd"] > 0]
record(not unbilled, f"every job that called the endpoint carries its cost ({len(unbilled)} do not)")

# The timeline, in seconds.
timeline = sorted((line["arrived_ms"] / 1000, line["outcome"], (line["arrived_ms"] + line["duration_ms"]) / 1000)
                  for line in requests)
answers_429 = sorted(end for _, outcome, end in timeline if outcome == "rate-limited")
arrivals = [arrived for arrived, _, _ in timeline]
broken_pauses = []
for answered in answers_429:
    inside = [a for a in arrivals if answered + IN_FLIGHT < a < answered + RETRY_AFTER - 0.05]
    if inside:
        broken_pauses.append((round(answered - arrivals[0], 2), [round(a - answered, 2) for a in inside][:5]))
record(len(answers_429) >= 10 and not broken_pauses,
       f"after each of the {len(answers_429)} 429s no worker called the endpoint until the Retry-After was over "
       f"({len(broken_pauses)} pauses broken: {broken_pauses[:3]})")

# The first burst: what the fleet sent before the first 429 was answered, at full speed; the rest leaves out
# the calls still on their way when it was answered.
told = answers_429[0] if answers_429 else arrivals[-1]
start = arrivals[0]
burst = [outcome for arrived, outcome, _ in timeline if arrived <= told]
rest = [(arrived, outcome) for arrived, outcome, _ in timeline if arrived > told + IN_FLIGHT]
burst_rate = burst.count("rate-limited") / max(told - start, 0.001)
rest_span = (rest[-1][0] - told - IN_FLIGHT) if rest else 0
rest_rate = sum(1 for _, outcome in rest if outcome == "rate-limited") / max(rest_span, 0.001)
record(bool(rest) and rest_rate <= burst_rate / 2,
       f"the 429 rate dropped after the first burst ({burst.count('rate-limited')} 429s of {len(burst)} requests in "
       f"the first {told - start:.2f} s = {burst_rate:.1f}/s; then {rest_rate:.1f}/s over {rest_span:.0f} s)")
finish("fault storm")
