import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// Claims the next job, marking it `processing` with `progress`/`message`.
    /// `leavingWaiting`: take it only while more than that many jobs wait
    /// (a worker claiming ahead of its free slots leaves them to idle workers).
    public func claim(
        progress: Int, message: String, token: String = UUID().uuidString, leavingWaiting: Int = 0
    ) async throws(QueueError) -> ClaimOutcome {
        let batch = try await claim(tokens: [token], progress: progress, message: message, leavingWaiting: leavingWaiting)
        switch batch {
        case .claimed(let leases, _): return leases.first.map(ClaimOutcome.claimed) ?? .empty(wakeAt: nil, now: 0)
        case .empty(let wakeAt, let now): return .empty(wakeAt: wakeAt, now: now)
        case .held(let message, let remaining): return .held(message: message, remaining: remaining)
        case .paused(let message): return .paused(message: message)
        }
    }

    /// A claim ahead of a free slot (`leavingWaiting` as for `claim`): the job taken, if any, and
    /// how many jobs still wait after it, or nil when none was taken (nothing beyond
    /// `leavingWaiting` waits, the queue is held or paused). With `tokens` left unanswered by an
    /// earlier claim, the jobs still leased under them come back instead (possibly more than one).
    public func claimAhead(
        progress: Int, message: String, leavingWaiting: Int, tokens: ClaimTokens = ClaimTokens()
    ) async throws(QueueError) -> ClaimedJobs? {
        let batch = try await claim(tokens, upTo: 1, progress: progress, message: message, leavingWaiting: leavingWaiting)
        guard case .claimed(let leases, let waiting) = batch else { return nil }
        return ClaimedJobs(leases: leases, waiting: waiting)
    }

    /// Takes as many waiting jobs as there are, up to `count`, in one round trip (a worker with
    /// several free slots fills them at once), blocking on Redis while there is none: BLPOP on
    /// the wake-up list, no polling, until the next retry falls due or lease expires, at most
    /// `maxBlock`. While the queue is held it sleeps until the hold ends (at most `maxBlock`);
    /// while an operator paused it, it blocks on the wake-up list `queue resume` fills (at most
    /// `maxBlock`); it tells `onHold` when a hold or pause begins and ends. Cancelling the task ends the wait at once;
    /// a job already claimed is always returned, never dropped. `tokens`: the worker's, so a claim
    /// whose reply was lost is asked again with them (see `ClaimTokens`); its jobs then come back,
    /// possibly more than `count`.
    public func nextJobs(
        waitingOn connection: RedisBlockingConnection, upTo count: Int, progress: Int, message: String,
        tokens: ClaimTokens = ClaimTokens(), maxBlock: Duration = .seconds(30),
        onHold: @Sendable (String?) -> Void = { _ in }
    ) async throws -> ClaimedJobs {
        precondition(count > 0, "claim at least one job")
        var held = false
        while true {
            try Task.checkCancellation()
            let batch = try await claim(tokens, upTo: count, progress: progress, message: message)
            if let message = batch.refusal {
                if !held { onHold(message) }
                held = true
            } else if held {
                onHold(nil)
                held = false
            }
            switch batch {
            case .claimed(let leases, let waiting):
                return ClaimedJobs(leases: leases, waiting: waiting)
            case .held(_, let remaining):
                try await Task.sleep(for: min(maxBlock, max(remaining, .milliseconds(10))))
            case .paused:
                // No end to wait for: `queue resume` pushes wake-up tokens, so block on them.
                let seconds = max(Double(maxBlock.milliseconds) / 1000, 0.01)
                _ = try await connection.send(["BLPOP", keys.marker, String(format: "%.3f", seconds)])
            case .empty(let wakeAt, let now):
                var block = maxBlock
                if let wakeAt { block = min(block, .milliseconds(max(wakeAt - now, 0))) }
                // BLPOP takes seconds (fractions allowed); 0 would mean forever.
                let seconds = max(Double(block.milliseconds) / 1000, 0.01)
                _ = try await connection.send(["BLPOP", keys.marker, String(format: "%.3f", seconds)])
            }
        }
    }

    /// What one run of the claim script gave.
    private enum ClaimBatch {
        /// A lease per job taken (at least one), and how many jobs still wait.
        case claimed([JobLease], waiting: Int)
        /// Nothing to take: when the next job may be due (ms, Redis clock), and the script's clock.
        case empty(wakeAt: Int64?, now: Int64)
        /// The queue is held (the daily budget is spent) for `remaining` more.
        case held(message: String, remaining: Duration)
        /// An operator paused the queue; `queue resume` wakes the workers blocked on the marker list.
        case paused(message: String)

        /// Why nothing may be claimed now (held or paused), else nil.
        var refusal: String? {
            switch self {
            case .held(let message, _), .paused(let message): message
            case .claimed, .empty: nil
            }
        }
    }

    /// Claims up to `count` jobs, one per token `tokens` lends; after an unanswered claim, first
    /// the jobs still leased under its tokens (`claim.lua`).
    private func claim(
        _ tokens: ClaimTokens, upTo count: Int, progress: Int, message: String, leavingWaiting: Int = 0
    ) async throws(QueueError) -> ClaimBatch {
        let (lent, unanswered) = tokens.lend(count)
        let batch = try await claim(tokens: lent, progress: progress, message: message, leavingWaiting: leavingWaiting,
                                    unanswered: unanswered)
        if case .claimed(let leases, _) = batch {
            tokens.answered(spending: leases.map(\.token))
        } else {
            tokens.answered(spending: [])
        }
        return batch
    }

    /// Claims up to one job per token; with `unanswered`, returns the jobs already leased under
    /// them if there are any.
    private func claim(
        tokens: [String], progress: Int, message: String, leavingWaiting: Int = 0, unanswered: Bool = false
    ) async throws(QueueError) -> ClaimBatch {
        let reply = try await run(QueueScripts.claim, keys: [keys.operatorPause], [
            tokens.joined(separator: ","), String(policy.leaseDuration.milliseconds), String(progress), message, "100",
            String(max(leavingWaiting, 0)), unanswered ? "1" : "0",
        ])
        switch reply.tag {
        case "empty":
            return .empty(wakeAt: try reply.optionalInteger(0), now: try reply.integer(1))
        case "held":
            return .held(message: try reply.string(0), remaining: .milliseconds(max(try reply.integer(1), 0)))
        case "paused":
            return .paused(message: try reply.string(0))
        case "claimed":
            // The jobs, each with the token it is leased under, then the wait list's length.
            let jobs = reply.values.dropLast()
            guard !jobs.isEmpty, jobs.count <= tokens.count else { throw reply.unexpected() }
            let waiting = try reply.integer(jobs.count)
            var leases: [JobLease] = []
            for fields in jobs {
                guard let fields = fields.fieldMap, let job = Job(fields: fields), let token = fields["lease_token"],
                    tokens.contains(token)
                else { throw reply.unexpected() }
                leases.append(JobLease(job: job, token: token))
            }
            return .claimed(leases, waiting: Int(waiting))
        default:
            throw reply.unexpected()
        }
    }

    /// Extends the lease; throws `.cancelled` or `.leaseLost` when the caller must stop.
    public func renew(_ lease: JobLease) async throws(QueueError) {
        try await fenced(QueueScripts.renew, lease, [String(policy.leaseDuration.milliseconds)])
    }

    /// Reports progress (never backwards within an attempt).
    public func reportProgress(_ lease: JobLease, progress: Int, message: String) async throws(QueueError) {
        try await fenced(QueueScripts.progress, lease, [String(progress), message, "0"])
    }

    /// Records the call to the endpoint about to be made as attempt `lease.job.attempts + 1` of the
    /// job (counted once, however often this is sent) and reports `progress` and `message` — unless
    /// the fleet is paused (`pauseFleet`): then nothing is written. The pause is checked in the same
    /// script (`progress.lua`), so a job that waited for a call slot starts its call in one round trip.
    public func startCall(_ lease: JobLease, progress: Int = 30, message: String = "Running on GPU")
        async throws(QueueError) -> CallStart
    {
        let reply = try await run(
            QueueScripts.progress, keys: jobKeys(lease) + [keys.fleetPause],
            [lease.job.id.lowercasedString, lease.token, String(progress), message, String(lease.job.attempts + 1)])
        switch reply.tag {
        case "ok": return .started
        case "paused": return .paused(remaining: .milliseconds(try reply.integer(0)))
        default: throw Self.refusal(reply, lease)
        }
    }

    /// Ends the job with its layers, stored in `attempt`'s folder (nil: the attempt a call made
    /// under this lease is, `attempts` at claim + 1); with `caching`, the result becomes the cache
    /// entry for its digest in the same step (`complete.lua`).
    public func complete(_ lease: JobLease, layers: [LayerResult], attempt: Int? = nil, caching: ResultCacheRecord? = nil)
        async throws(QueueError)
    {
        var keys = jobKeys(lease)
        var arguments = [Self.json(layers), String(attempt ?? lease.job.attempts + 1)]
        if let caching {
            keys += [self.keys.resultCache(caching.digest), self.keys.resultInFlight(caching.digest)]
            arguments += [String(caching.timeToLive.milliseconds), String(caching.callMicrodollars), caching.deployedModelID ?? ""]
        }
        try await fenced(QueueScripts.complete, lease, arguments, keys: keys)
    }

    public func fail(_ lease: JobLease, error: JobError) async throws(QueueError) {
        try await fenced(QueueScripts.fail, lease, [Self.json(error), "Failed: \(error.message)"])
    }

    /// Puts the job in the delayed set for `delay`, or fails it when it has no attempts left.
    public func retry(_ lease: JobLease, error: JobError, after delay: Duration, message: String)
        async throws(QueueError) -> RetryOutcome
    {
        let reply = try await run(QueueScripts.retry, keys: jobKeys(lease), [
            lease.job.id.lowercasedString, lease.token, Self.json(error), String(delay.milliseconds),
            message, "Failed: \(error.message)",
        ])
        switch reply.tag {
        case "scheduled": return .scheduled
        case "exhausted": return .exhausted
        default: throw Self.refusal(reply, lease)
        }
    }

    /// Back to the queue for `delay`, without counting an attempt or failing the job: what the
    /// job needs (its upload in storage) cannot be reached for now (`postpone.lua`).
    public func postpone(_ lease: JobLease, after delay: Duration, message: String) async throws(QueueError) {
        try await fenced(QueueScripts.postpone, lease, [String(delay.milliseconds), message])
    }

    /// Hands the job back to the front of the queue.
    public func release(_ lease: JobLease, message: String = "Worker stopped; job queued again") async throws(QueueError) {
        try await fenced(QueueScripts.release, lease, [message])
    }

    /// A script that writes only while the caller holds the lease; `keys`: the job's two, then the script's others.
    func fenced(_ script: RedisScript, _ lease: JobLease, _ arguments: [String], keys ownKeys: [String]? = nil)
        async throws(QueueError)
    {
        let reply = try await run(
            script, keys: ownKeys ?? jobKeys(lease), [lease.job.id.lowercasedString, lease.token] + arguments)
        if reply.tag != "ok" { throw Self.refusal(reply, lease) }
    }

    func jobKeys(_ lease: JobLease) -> [String] { [keys.job(lease.job.id), keys.events(lease.job.id)] }

    /// Why a fenced script refused the caller's write.
    static func refusal(_ reply: ScriptReply, _ lease: JobLease) -> QueueError {
        switch reply.tag {
        case "cancelled": return .cancelled(lease.job.id)
        case "lost": return .leaseLost(lease.job.id)
        default: return reply.unexpected()
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
