import Foundation

/// What `JobQueue.retryFailed` did with a job.
public enum FailedJobRetry: Sendable, Equatable {
    /// Back in the queue; `attempts` calls were made before (the next is attempt `attempts + 1`).
    case queued(attempts: Int)
    /// Not failed (only a failed job is retried): left as it is.
    case notFailed(JobStatus)
    /// No such job (unknown, or expired after its retention).
    case unknown
}
