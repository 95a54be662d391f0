import Foundation
import SystemSupport

/// Every Redis key and channel the queue uses. All share the prefix's hash
/// tag (`{decomposer}` by default), so every script runs on one cluster slot.
/// docs/ARCHITECTURE.md lists which script writes which key.
public struct QueueKeys: Sendable, Equatable {
    public let prefix: String

    /// The common keys every queue script is given first, in `library.lua`'s order: built once,
    /// not on every script call (every enqueue sends them).
    private(set) var scriptKeys: [String] = []

    public init(prefix: String) {
        self.prefix = prefix
        scriptKeys = [wait, active, delayed, marker, dead, stats, hold, order, completed, cancelled, webhookOutbox]
    }

    /// LIST of job ids ready to run; LPUSH to enqueue, RPOP to claim, RPUSH to put one at the front.
    public var wait: String { "\(prefix):queue:wait" }
    /// ZSET job id → lease deadline (ms) of every processing job.
    public var active: String { "\(prefix):queue:active" }
    /// ZSET job id → due time (ms) of every job waiting out a retry backoff.
    public var delayed: String { "\(prefix):queue:delayed" }
    /// LIST of wake-up tokens idle workers BLPOP on; one per enqueue, cleared when `wait` is empty.
    public var marker: String { "\(prefix):queue:marker" }
    /// ZSET job id → failure time (ms), capped by count and retention.
    public var dead: String { "\(prefix):queue:dead" }
    /// HASH of lifetime counters: enqueued, completed, failed, cancelled, retries, recoveries.
    public var stats: String { "\(prefix):queue:stats" }

    /// ZSET mirroring `wait`: job id → a score that sorts like the list from its claim end, so a
    /// waiting job's position is `ZRANK + 1` (O(log N), never a scan of the list).
    public var order: String { "\(prefix):queue:order" }
    /// ZSET `<call slots>/<worker id>` → until when (ms) that worker's advertisement holds: the
    /// fleet's call slots, for queued jobs' ETA. Each worker renews its entry every lease/3.
    public var workerSlots: String { "\(prefix):queue:worker-slots" }

    /// STRING: while set, the claim script takes nothing (the daily GPU budget is spent);
    /// its value is the message queued jobs show. Expires when the hold ends.
    public var hold: String { "\(prefix):queue:hold" }
    /// STRING: while set, the claim script takes nothing (an operator's `decomposer queue pause`);
    /// its value is the message queued jobs show. No expiry: only `queue resume` lifts it.
    public var operatorPause: String { "\(prefix):queue:operator-pause" }

    /// STRING: until when (ms, Redis clock) every worker holds off calling the endpoint after a 429.
    public var fleetPause: String { "\(prefix):gpu:paused_until" }

    /// The keys `JobQueue.counts()` reads to tell the work waiting for a worker
    /// (`QueueCounts.demand`, exported as `decomposer_queue_demand_jobs`). deploy/kubernetes names
    /// them beside the KEDA trigger; a test keeps the two lists equal.
    public var demandKeys: [String] { [wait, delayed, active, hold, operatorPause, fleetPause] }

    /// HASH of one UTC day's GPU cost (`YYYY-MM-DD`): microdollars, gpu_ms, requests, failed_requests.
    public func costDay(_ day: String) -> String { "\(prefix):cost:\(day)" }

    /// ZSET of one UTC day's job costs: job id → micro-dollars (the day's costliest jobs in an alert).
    /// Not under `cost:`, which holds only the day hashes (tools read `cost:*` as such).
    public func costDayJobs(_ day: String) -> String { "\(prefix):cost-jobs:\(day)" }
    /// SET of the alert thresholds (`0.8`) one UTC day's spend has fired: each fires once a day.
    public func costDayAlerts(_ day: String) -> String { "\(prefix):cost-alerts:fired:\(day)" }
    /// HASH alert id (`YYYY-MM-DD/0.8`) → alert JSON: cost alerts not yet delivered.
    public var costAlertOutbox: String { "\(prefix):cost-alerts:outbox" }
    /// ZSET alert id → when it may be tried next (ms); while a deliverer holds it, its lease's end.
    public var costAlertDue: String { "\(prefix):cost-alerts:due" }

    /// HASH: the result cache's entry for a request digest (`ResultDigest`): the completed job whose
    /// layers answer it, their attempt folder and list, the average call cost; expires after `CACHE_TTL_DAYS`.
    public func resultCache(_ digest: String) -> String { "\(prefix):result-cache:\(digest)" }
    /// STRING: the id of the job calling the endpoint for a digest (single flight; see `look-up-result.lua`).
    public func resultInFlight(_ digest: String) -> String { "\(prefix):result-cache:\(digest):running" }

    /// HASH of one job.
    public func job(_ id: UUID) -> String { "\(prefix):job:\(id.lowercasedString)" }
    /// STREAM of one job's changes, entry id `0-<version>`, capped.
    public func events(_ id: UUID) -> String { job(id) + ":events" }
    /// STRING "1" while an upload is stored (`JobQueue.noteUpload`), expiring with the retention.
    public func upload(_ fileID: UUID) -> String { "\(prefix):upload:\(fileID.lowercasedString)" }
    /// HASH job_id + fingerprint for one idempotency key.
    public func idempotency(_ key: String) -> String { "\(prefix):idempotency:\(key)" }
    /// Pub/sub channel every job change is published on.
    public var eventsChannel: String { "\(prefix):events" }
    /// Pub/sub channel the id of every running job that is cancelled is published on, so a
    /// worker learns of cancellations without reading the fleet's every job event.
    public var cancellationsChannel: String { "\(prefix):cancellations" }

    /// ZSET job id → finish time (ms) of every completed job still retained (`jobs list`, newest first).
    public var completed: String { "\(prefix):queue:completed" }
    /// ZSET job id → finish time (ms) of every cancelled job still retained.
    public var cancelled: String { "\(prefix):queue:cancelled" }
    /// LIST: the webhook outbox, one entry per event of a job that asked for a webhook.
    public var webhookOutbox: String { "\(prefix):webhooks:outbox" }
    /// ZSET job id → when its oldest pending webhook event may be tried next (ms); while a deliverer
    /// holds it, its lease's end.
    public var webhookDue: String { "\(prefix):webhooks:due" }
    /// LIST of a job's webhook events not yet delivered, oldest first (only the first is in flight).
    public func webhookPending(_ id: UUID) -> String { "\(prefix):webhooks:pending:\(id.lowercasedString)" }
    /// HASH of a job's webhook delivery state (`jobs show`, the admin page): events, delivered,
    /// failed_attempts, given_up, stopped (410), last_event, last_version, last_result, last_at.
    public func webhookState(_ id: UUID) -> String { "\(prefix):webhooks:state:\(id.lowercasedString)" }
}
