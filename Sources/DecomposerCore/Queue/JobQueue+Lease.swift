import Foundation
import Redis

extension JobQueue {
    /// Claims the next job, marking it `processing` with `progress`/`message`.
    /// `leavingWaiting`: take it only while more than that many jobs wait
    /// (a worker claiming ahead of its free slots leaves them to idle workers).
    public func claim(
        progress: Int, message: String, token: String = UUID().uuidString, leavingWaiting: Int = 0
    ) async throws(QueueError) -> ClaimOutcome {
        let batch = try await claim(tokens: [token], progress: progress, message: message, leavingWaiting: leavingWaiting)
        if let lease = batch.leases.first { return .claimed(lease) }
        return .empty(wakeAt: batch.wakeAt, now: batch.now)
    }

    /// Claims the next job, blocking on Redis (BLPOP on the wake-up list)
    /// while there is none — no polling. Sleeps until the next retry falls due
    /// or lease expires, at most `maxBlock`. Cancelling the task ends the wait
    /// at once; a job already claimed is always returned, never dropped.
    public func nextJob(
        waitingOn connection: RedisBlockingConnection, progress: Int, message: String,
        maxBlock: Duration = .seconds(30)
    ) async throws -> JobLease {
        try await nextJobs(waitingOn: connection, upTo: 1, progress: progress, message: message, maxBlock: maxBlock)[0]
    }

    /// Like `nextJob`, but takes as many waiting jobs as there are, up to
    /// `count`, in one round trip: a worker with several free slots fills
    /// them at once instead of one claim after another.
    public func nextJobs(
        waitingOn connection: RedisBlockingConnection, upTo count: Int, progress: Int, message: String,
        maxBlock: Duration = .seconds(30)
    ) async throws -> [JobLease] {
        precondition(count > 0, "claim at least one job")
        while true {
            try Task.checkCancellation()
            let tokens = (0..<count).map { _ in UUID().uuidString }
            let batch = try await claim(tokens: tokens, progress: progress, message: message)
            if !batch.leases.isEmpty { return batch.leases }
            var block = maxBlock
            if let wakeAt = batch.wakeAt { block = min(block, .milliseconds(max(wakeAt - batch.now, 0))) }
            // BLPOP takes seconds (fractions allowed); 0 would mean forever.
            let seconds = max(Double(block.milliseconds) / 1000, 0.01)
            _ = try await connection.send(["BLPOP", keys.marker, String(format: "%.3f", seconds)])
        }
    }

    /// What one run of the claim script gave: a lease per job taken, or when
    /// there was none, when the next one may be due (ms, Redis clock) and the
    /// script's clock reading.
    private struct ClaimBatch {
        var leases: [JobLease] = []
        var wakeAt: Int64?
        var now: Int64 = 0
    }

    /// Claims up to one job per token.
    private func claim(
        tokens: [String], progress: Int, message: String, leavingWaiting: Int = 0
    ) async throws(QueueError) -> ClaimBatch {
        let reply = try await run(QueueScripts.claim, [
            tokens.joined(separator: ","), String(policy.leaseDuration.milliseconds), String(progress), message, "100",
            String(max(leavingWaiting, 0)),
        ])
        guard let parts = reply.array, let tag = parts.first?.string else {
            throw .redis(.unexpectedReply("claim: \(reply)"))
        }
        if tag == "empty" {
            let wakeAt = parts.count > 1 ? parts[1].string.flatMap { Int64($0) } : nil
            let now = parts.count > 2 ? parts[2].string.flatMap { Int64($0) } ?? 0 : 0
            return ClaimBatch(wakeAt: wakeAt, now: now)
        }
        guard tag == "claimed", parts.count - 1 <= tokens.count else { throw .redis(.unexpectedReply("claim: \(reply)")) }
        var batch = ClaimBatch()
        for (token, fields) in zip(tokens, parts.dropFirst()) {
            guard let fields = fields.fieldMap, let job = Job(fields: fields) else {
                throw .redis(.unexpectedReply("claim: \(reply)"))
            }
            batch.leases.append(JobLease(job: job, token: token))
        }
        return batch
    }

    /// Extends the lease; throws `.cancelled` or `.leaseLost` when the caller must stop.
    public func renew(_ lease: JobLease) async throws(QueueError) {
        try await fenced(QueueScripts.renew, lease, [String(policy.leaseDuration.milliseconds)])
    }

    /// Reports progress; `countsAttempt` marks the call to the endpoint about to be made,
    /// attempt `lease.job.attempts + 1` of the job — counted once, however often this is sent.
    public func reportProgress(_ lease: JobLease, progress: Int, message: String, countsAttempt: Bool = false)
        async throws(QueueError)
    {
        let attempt = countsAttempt ? lease.job.attempts + 1 : 0
        try await fenced(QueueScripts.progress, lease, [String(progress), message, String(attempt)])
    }

    public func complete(_ lease: JobLease, layers: [LayerResult]) async throws(QueueError) {
        try await fenced(QueueScripts.complete, lease, [Self.json(layers)])
    }

    public func fail(_ lease: JobLease, error: JobError) async throws(QueueError) {
        try await fenced(QueueScripts.fail, lease, [Self.json(error), "Failed: \(error.message)"])
    }

    /// Puts the job in the delayed set for `delay`, or fails it when it has no attempts left.
    public func retry(_ lease: JobLease, error: JobError, after delay: Duration, message: String)
        async throws(QueueError) -> RetryOutcome
    {
        let reply = try await run(QueueScripts.retry, [
            lease.job.id.uuidString.lowercased(), lease.token, Self.json(error), String(delay.milliseconds),
            message, "Failed: \(error.message)",
        ])
        switch reply.string {
        case "scheduled": return .scheduled
        case "exhausted": return .exhausted
        case let other: throw Self.refusal(other, lease)
        }
    }

    /// Hands the job back to the front of the queue.
    public func release(_ lease: JobLease, message: String = "Worker stopped; job queued again") async throws(QueueError) {
        try await fenced(QueueScripts.release, lease, [message])
    }

    private func fenced(_ script: RedisScript, _ lease: JobLease, _ arguments: [String]) async throws(QueueError) {
        let reply = try await run(script, [lease.job.id.uuidString.lowercased(), lease.token] + arguments)
        if reply.string != "ok" { throw Self.refusal(reply.string, lease) }
    }

    private static func refusal(_ answer: String?, _ lease: JobLease) -> QueueError {
        switch answer {
        case "cancelled": return .cancelled(lease.job.id)
        case "lost": return .leaseLost(lease.job.id)
        default: return .redis(.unexpectedReply(answer ?? "nil"))
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
