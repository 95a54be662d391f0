import DecomposerCore
import Foundation

/// An operator's retry of failed jobs (`decomposer jobs retry`, the admin API): each back to the
/// queue (`JobQueue.retryFailed`) only while its upload still exists, since without it the job
/// could only fail again (`upload_missing`); such a job is refused and left as it is. Here, not in
/// the queue, because only the storage seam knows whether an upload exists.
public struct JobRetrier: Sendable {
    public let queue: JobQueue
    public let storage: any StorageBackend

    public init(queue: JobQueue, storage: any StorageBackend) {
        self.queue = queue
        self.storage = storage
    }

    /// Retries the jobs `ids`, in order; `reason` goes into each one's history.
    /// - Throws: `QueueError` when Redis fails, `StorageError.unavailable` when storage cannot be reached.
    public func retry(_ ids: [UUID], reason: String) async throws -> [JobRetryResult] {
        var results: [JobRetryResult] = []
        for id in ids { results.append(JobRetryResult(id: id, outcome: try await retryOne(id, reason: reason))) }
        return results
    }

    /// Retries every dead letter that failed at or after `since` (nil: any time) with the error code
    /// `errorCode` (nil: any), oldest first.
    public func retryDead(since: Date?, errorCode: String?, reason: String) async throws -> [JobRetryResult] {
        try await retry(try await queue.deadLetters(since: since, errorCode: errorCode), reason: reason)
    }

    private func retryOne(_ id: UUID, reason: String) async throws -> JobRetryResult.Outcome {
        guard let job = try await queue.job(id) else { return .unknown }
        guard job.status == .failed else { return .notRetryable(job.status) }
        guard try await storage.uploadExists(job.fileID) else { return .uploadMissing(fileID: job.fileID) }
        switch try await queue.retryFailed(id, reason: reason) {
        case .queued(let attempts): return .queued(attempts: attempts)
        case .notFailed(let status): return .notRetryable(status)
        case .unknown: return .unknown
        }
    }
}
