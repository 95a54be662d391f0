import Redis

/// Finished jobs still kept (within `JOB_RETENTION_DAYS`), by how they ended: the sizes of the
/// finished-job indexes `listJobs` reads. Failed jobs are the dead letters (`QueueCounts.dead`).
public struct FinishedCounts: Sendable, Equatable {
    public var completed: Int
    public var cancelled: Int
}

extension JobQueue {
    /// The admin page's counts of finished jobs: one pipeline of two `ZCARD`s.
    public func finishedCounts() async throws(QueueError) -> FinishedCounts {
        do {
            let replies = try await redis.pipeline([["ZCARD", keys.completed], ["ZCARD", keys.cancelled]])
            return FinishedCounts(completed: Int(replies[0].int ?? 0), cancelled: Int(replies[1].int ?? 0))
        } catch {
            throw .redis(error)
        }
    }
}
