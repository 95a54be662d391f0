import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// A failed job back to `queued` with a fresh allowance of `policy.maxAttempts` calls (and
    /// `policy.maxRecoveries` recoveries) on top of those it made, out of the dead-letter set, its
    /// error cleared and `Retried by an operator: <reason>` in its history (`retry-failed.lua`).
    /// Its upload is the caller's to check first (`JobRetrier`, which knows the storage).
    public func retryFailed(_ id: UUID, reason: String) async throws(QueueError) -> FailedJobRetry {
        let reply = try await run(QueueScripts.retryFailed, keys: [keys.job(id), keys.events(id)], [
            id.lowercasedString, String(policy.maxAttempts), String(policy.maxRecoveries),
            "Retried by an operator: \(reason)",
        ])
        switch reply.tag {
        case "queued": return .queued(attempts: Int(try reply.integer(0)))
        case "not_failed":
            guard let status = JobStatus(rawValue: try reply.string(0)) else { throw reply.unexpected() }
            return .notFailed(status)
        case "missing": return .unknown
        default: throw reply.unexpected()
        }
    }

    /// The dead letters that failed at or after `since` (nil: all) with the error `errorCode` (nil:
    /// any), oldest first: `jobs retry --dead`'s selection. Reads the set in batches of 500 (it is
    /// capped by `DEAD_LETTER_LIMIT`), with one pipelined HGET per batch when a code is asked for.
    public func deadLetters(since: Date?, errorCode: String?) async throws(QueueError) -> [UUID] {
        let batch = 500
        var found: [UUID] = []
        var offset = 0
        let minimum = since.map { String($0.millisecondsSince1970) } ?? "-inf"
        do {
            while true {
                let reply = try await redis.send(
                    ["ZRANGEBYSCORE", keys.dead, minimum, "+inf", "LIMIT", String(offset), String(batch)])
                let ids = (reply.array ?? []).compactMap { $0.string.flatMap(UUID.init(spelling:)) }
                if let errorCode {
                    let errors = try await redis.pipeline(ids.map { ["HGET", keys.job($0), "error"] })
                    for (id, error) in zip(ids, errors) {
                        let code = error.string.flatMap { try? JSONDecoder().decode(JobError.self, from: Data($0.utf8)) }?.code
                        if code == errorCode { found.append(id) }
                    }
                } else {
                    found += ids
                }
                guard ids.count == batch else { return found }
                offset += batch
            }
        } catch {
            throw .redis(error)
        }
    }

    /// Removes the dead letters that failed before `olderThan` (nil: all), with their jobs' hashes
    /// and event streams, in batches of 500 (`purge-dead.lua`); returns how many.
    public func purgeDead(olderThan: Date?) async throws(QueueError) -> Int {
        let before = olderThan.map { String($0.millisecondsSince1970) } ?? "+inf"
        let batch = 500
        var removed = 0
        while true {
            let reply = try await run(QueueScripts.purgeDead, [before, String(batch)])
            let count = Int(try reply.integer(0))
            removed += count
            if count < batch { return removed }
        }
    }
}
