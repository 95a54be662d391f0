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

Run by chaos/multi-host.sh inside the client namespace (chaos/cluster.py says what it passes);
JOBS (default 40), LIMIT_SECONDS. The watchers are chaos/job_watcher.py's, over
chaos/ws_client.py.
"""
import calendar
import json
import os
import re
import subprocess
import time
import urllib.parse

from chaoslib import (PREFIX, billed_calls, finish, give_up_at, job_events, multipart, png_is_whole, record, redis,
                      request_log, result_folder, sample_poster)
from cluster import (ADDRESS, API_PORT, BUCKET, CUT_HOST, GCS_PORT, LOG_DIR, NAMESPACE, REPLICAS, WORK, WORKERS, api,
                     host_folder, in_flight, other, processes, request, say, set_link, start_api, start_cluster, stop,
                     wait_until, worker_metric)
from job_watcher import Watcher

JOBS = int(os.environ.get("JOBS", "40"))
CUT_SECONDS, KILL_AFTER_CUT, RESTART_AFTER_KILL = 10, 4, 8


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


class Run:
    """What happened, for the checks: the jobs, who took each, their watchers, and when the
    link was cut and restored and api-a killed and restarted (time.time(), None if not)."""

    def __init__(self):
        self.started = time.time()
        self.deadline = give_up_at(self.started)
        self.jobs, self.taker, self.watchers = [], {}, {}
        self.cut_at = self.restored_at = self.killed_at = self.restarted_at = None
        self.held_at_cut, self.open_on_a = 0, []
        self.elapsed = 0

    def ended(self):
        return sum(1 for watcher in self.watchers.values() if watcher.final is not None)

    def clock(self):
        return f"{time.time() - self.started:.1f} s"


def submit(run):
    """Uploads through one replica, jobs through the other (so the upload is only in the bucket),
    round-robin; each job watched on the replica that did not take it."""
    poster = sample_poster()
    uploaded = {}
    for replica in REPLICAS:
        form = multipart([("file", "poster.png", poster)], "multihost")
        uploaded[replica] = api(replica, "POST", "/api/upload", form,
                                {"Content-Type": "multipart/form-data; boundary=multihost"})["file_id"]
    for index in range(JOBS):
        replica = REPLICAS[index % 2]
        body = json.dumps({"file_id": uploaded[other(replica)], "num_layers": 2 + index % 4, "resolution": 640})
        job = api(replica, "POST", "/api/decompose", body.encode(), {"Content-Type": "application/json"})["job_id"]
        run.jobs.append(job)
        run.taker[job] = replica
        run.watchers[job] = Watcher(job, replica, run.deadline)
        run.watchers[job].start()
    say(f"{JOBS} jobs submitted round-robin to {' and '.join(REPLICAS)} in {run.clock()}")


def disrupt(run):
    """The cut once some jobs are done and the cut host's workers are running jobs; the kill 4 s
    into it; the link back after 10 s and api-a started again 8 s after the kill; then waits for
    every watcher and for every worker to let go of its jobs."""
    while time.time() < run.deadline and run.ended() < JOBS:
        now = time.time()
        if run.cut_at is None and run.ended() >= max(2, JOBS // 10):
            run.held_at_cut = in_flight(CUT_HOST)
            if run.held_at_cut > 0:
                set_link(CUT_HOST, "down")
                run.cut_at = now
                say(f"{run.clock()}: {CUT_HOST}'s link cut ({run.ended()} of {JOBS} jobs ended; its workers were "
                    f"running {run.held_at_cut:.0f} jobs)")
        elif run.cut_at and run.killed_at is None and (now >= run.cut_at + KILL_AFTER_CUT
                                                       or JOBS - run.ended() <= JOBS // 4):
            run.open_on_a = [job for job, watcher in run.watchers.items()
                             if watcher.current == "api-a" and watcher.final is None]
            processes["api-a"].kill()
            processes["api-a"].wait()
            run.killed_at = now
            say(f"{run.clock()}: api-a killed with SIGKILL ({len(run.open_on_a)} watchers open on it, "
                f"{run.ended()} of {JOBS} jobs ended)")
        if run.cut_at and run.restored_at is None and now >= run.cut_at + CUT_SECONDS:
            restore_link(run)
        if run.killed_at and run.restarted_at is None and now >= run.killed_at + RESTART_AFTER_KILL:
            restart_api(run)
        time.sleep(0.25)
    # Whatever ended the loop, the link comes back and api-a runs again before the checks.
    if run.cut_at and run.restored_at is None:
        time.sleep(max(0, run.cut_at + CUT_SECONDS - time.time()))
        restore_link(run)
    if run.killed_at and run.restarted_at is None:
        time.sleep(max(0, run.killed_at + RESTART_AFTER_KILL - time.time()))
        restart_api(run)
    for watcher in run.watchers.values():
        watcher.join(timeout=max(1, run.deadline - time.time()))
    run.elapsed = time.time() - run.started
    say(f"{run.ended()} of {JOBS} jobs ended in {run.elapsed:.0f} s")
    # The cut host's workers notice their lost leases once the link is back, then let go.
    try:
        wait_until(lambda: in_flight() == 0, 60, "every worker idle")
    except RuntimeError as error:
        record(False, str(error))


def restore_link(run):
    set_link(CUT_HOST, "up")
    run.restored_at = time.time()
    say(f"{run.clock()}: {CUT_HOST}'s link back after {run.restored_at - run.cut_at:.1f} s "
        f"({run.ended()} of {JOBS} jobs ended)")


def restart_api(run):
    began = time.time()
    start_api("api-a")
    run.restarted_at = time.time()
    say(f"{run.clock()}: api-a started again, ready in {run.restarted_at - began:.1f} s")


def check_jobs(run):
    """Every job completed exactly once. Returns the jobs' final JSON and the queue's counters."""
    finals = {job: api(other(run.taker[job]), "GET", f"/api/jobs/{job}") for job in run.jobs}
    done = [job for job in run.jobs if finals[job]["status"] == "completed"]
    record(len(done) == JOBS, f"every job completed ({len(done)} of {JOBS}; others: "
           f"{[(finals[j]['status'], finals[j]['message']) for j in run.jobs if j not in done][:3]})")
    disagree = [job for job in run.jobs if api(run.taker[job], "GET", f"/api/jobs/{job}") != finals[job]]
    record(not disagree, f"both replicas show every job alike ({len(disagree)} differ)")
    twice = [job for job in run.jobs if job_events(job).count('"status":"completed"') != 1]
    record(not twice, f"every job's event stream has exactly one `completed` ({len(twice)} do not)")
    stats = dict(zip(*[iter(redis("HGETALL", f"{PREFIX}:queue:stats").split())] * 2))
    leftovers = {key: redis(kind, f"{PREFIX}:queue:{key}").strip()
                 for key, kind in (("wait", "LLEN"), ("active", "ZCARD"), ("delayed", "ZCARD"))}
    record(int(stats.get("completed", 0)) == JOBS and not stats.get("failed") and set(leftovers.values()) == {"0"},
           f"the queue counted {stats.get('completed', 0)} completions for {JOBS} jobs, no failure, "
           f"nothing left waiting, running or delayed ({stats}, {leftovers})")
    return finals, stats


def check_watchers(run):
    watchers = run.watchers
    unfinished = [job for job in run.jobs if (watchers[job].final or {}).get("status") != "completed"]
    record(not unfinished, f"every watcher saw its job end `completed` ({len(unfinished)} did not: "
           f"{[(j, watchers[j].connections[-1:]) for j in unfinished[:2]]})")

    def killed(connection):
        replica, _, code, opened, closed = connection
        return replica == "api-a" and code is None and run.killed_at and opened <= run.killed_at <= closed

    # (unless the kill fell between the last message and the close frame)
    unclosed = [job for job in run.jobs if watchers[job].final and watchers[job].connections[-1][2] != 1000
                and not killed(watchers[job].connections[-1])]
    record(not unclosed, f"the connection that delivered each job's end then closed with 1000 ({len(unclosed)} did "
           f"not: {[(watchers[j].connections[-1][0], watchers[j].connections[-1][2]) for j in unclosed[:3]]})")
    disordered = {job: watchers[job].problems for job in run.jobs if watchers[job].problems}
    record(not disordered, f"no watcher saw a gap, a repeat or a step back in its job's versions, across reconnects "
           f"too ({len(disordered)} did: {list(disordered.items())[:2]})")
    moved, stranded = [], []
    for job in run.open_on_a:
        # The connection the kill cut, then the next one that got through: on api-b, to the end.
        connections = watchers[job].connections
        cut = [index for index, connection in enumerate(connections) if killed(connection)]
        later = [connection for connection in connections[cut[0] + 1:] if connection[2] != "refused"] if cut else []
        (moved if later and later[0][0] == "api-b" and watchers[job].final else stranded).append(job)
    record(bool(run.open_on_a) and not stranded,
           f"every watcher cut off by the kill reconnected to api-b and saw its job end ({len(moved)} of "
           f"{len(run.open_on_a)}; stranded: {[(j, watchers[j].connections) for j in stranded[:2]]})")
    endings = {}
    for job in run.jobs:
        for replica, _, code, _, _ in watchers[job].connections[:-1]:
            endings[f"{replica} {code}"] = endings.get(f"{replica} {code}", 0) + 1
    say(f"the watchers' connections that ended before their jobs, by replica and close code: {endings}; "
        f"pings answered: {sum(watcher.pings for watcher in watchers.values())}")


def check_cut_host(run, finals, stats):
    """Its leases taken over, its late writes refused, nothing lost. Stops the workers; returns
    the calls each made that reached the endpoint (each then billed), read before they stop."""
    calls = {name: worker_metric(host, port, "decomposer_worker_endpoint_call_duration_seconds_count")
             for name, host, port in WORKERS}
    exits = {name: stop(name, 60) for name, _, _ in WORKERS}
    record(all(code == 0 for code in exits.values()), f"every worker exited 0 on SIGTERM, the cut ones too ({exits})")
    recovered = [job for job in run.jobs if finals[job]["recoveries"] > 0]
    cut_ms, restored_ms = int((run.cut_at or 0) * 1000), int((run.restored_at or 0) * 1000)
    during_cut = sum(1 for job in recovered for event in events_of(job)
                     if event["message"].startswith("Worker stopped responding")
                     and cut_ms <= int(event["updated_at"]) <= restored_ms)
    record(during_cut > 0, f"while {CUT_HOST} was cut off its leases expired and its jobs were queued again "
           f"({during_cut} recoveries during the cut; {len(recovered)} jobs recovered in all, "
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
    return calls, recovered


def check_books(run, finals, calls, recovered):
    """The endpoint's own count against the jobs' attempts, the bill against the workers' own count."""
    code = stop("endpoint", 60)
    requests = request_log(os.path.join(LOG_DIR, "requests.jsonl"))
    attempts = sum(finals[job]["attempts"] for job in run.jobs)
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
    unbilled = [job for job in run.jobs if finals[job]["status"] == "completed" and not finals[job]["cost_usd"] > 0]
    record(not unbilled, f"every job carries its cost ({len(unbilled)} do not)")


def check_layers(run, finals):
    """Every layer, from the replica that did not take the job, against the bucket's object."""
    done = [job for job in run.jobs if finals[job]["status"] == "completed"]
    mismatched, broken, counted, rewritten = [], [], 0, []
    scratch = os.path.join(WORK, "client-check.png")
    # When each job completed, to the millisecond (the job JSON has whole seconds): Redis's own field.
    completed_ms = {job: int(redis("HGET", f"{PREFIX}:job:{job}", "updated_at")) for job in done}
    for job in done:
        final = finals[job]
        if len(final["layers"]) != final["num_layers"]:
            broken.append((job, "layer count"))
        for layer in final["layers"]:
            status, _, served = request(ADDRESS[other(run.taker[job])], API_PORT, "GET", layer["url"])
            name = f"results/{result_folder(job)}/{layer['filename']}"
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
            # worker's upload that was in flight). Each attempt writes a folder of its own, so a
            # fenced-out worker's late upload lands in its own attempt's folder, not in this one.
            updated = rfc3339_ms((bucket_metadata(name) or {}).get("updated", ""))
            if updated and updated > completed_ms[job]:
                rewritten.append((job, layer["filename"]))
    record(counted > 0 and not mismatched, f"every layer served by the replica that did not take its job is byte for "
           f"byte the object in the bucket ({counted} layers; {len(mismatched)} differ: {mismatched[:3]})")
    record(not broken, f"every layer is a whole PNG and every job has its layers ({len(broken)} not: {broken[:3]})")
    if rewritten:
        say(f"note: {len(rewritten)} layer objects were written again after their job completed "
            f"(a fenced-out worker's upload in flight; same bytes): {rewritten[:3]}")


def check_isolation():
    routes = {host: subprocess.run(["ip", "-n", f"{NAMESPACE}-{host}", "route", "show", "default"],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
              for host in [*ADDRESS, "switch"]}
    record(not any(routes.values()), f"no host has a default route ({[h for h, r in routes.items() if r]} do)")


def check_local_folders():
    """Nothing shared through a disk: with the bucket, no host writes to its own folders either."""
    written = [os.path.join(root, name) for host in ADDRESS for folder in ("uploads", "results")
               for root, _, names in os.walk(host_folder(host, folder)) for name in names]
    record(not written, f"no host wrote to its UPLOADS_DIR or RESULTS_DIR ({written[:3]})")


def main():
    run = Run()
    start_cluster()
    record(True, f"the cluster is up on 7 hosts: Redis, the bucket and the endpoint, 2 API replicas, "
           f"3 workers on 2 hosts ({run.clock()})")
    check_isolation()
    submit(run)
    disrupt(run)
    record(run.cut_at is not None, f"{CUT_HOST}'s link was cut for {CUT_SECONDS} s while its workers ran "
           f"{run.held_at_cut:.0f} jobs")
    record(run.killed_at is not None and len(run.open_on_a) > 0,
           f"api-a was killed with SIGKILL while {len(run.open_on_a)} watchers were connected to it")
    finals, stats = check_jobs(run)
    check_watchers(run)
    calls, recovered = check_cut_host(run, finals, stats)
    check_books(run, finals, calls, recovered)
    check_layers(run, finals)
    check_local_folders()
    say(f"{JOBS} jobs in {run.elapsed:.0f} s")


try:
    main()
except (RuntimeError, OSError, KeyError, ValueError) as error:
    record(False, f"the run could not go on: {type(error).__name__}: {error}")
finish("multi-host")
