import DecomposerCore
import Foundation

/// What `JobRetrier` did with one job.
public struct JobRetryResult: Sendable, Equatable {
    public var id: UUID
    public var outcome: Outcome

    public init(id: UUID, outcome: Outcome) {
        self.id = id
        self.outcome = outcome
    }

    public enum Outcome: Sendable, Equatable {
        /// Queued again; `attempts` calls were made before (its next is attempt `attempts + 1`).
        case queued(attempts: Int)
        /// No such job (unknown, or expired after its retention).
        case unknown
        /// Only failed (dead) jobs are retried; the job is in this state, left as it is.
        case notRetryable(JobStatus)
        /// The job's upload is gone (cleaned up): it could only fail again; left as it is.
        case uploadMissing(fileID: UUID)
    }

    /// Whether the job is queued again.
    public var isQueued: Bool {
        if case .queued = outcome { return true }
        return false
    }

    /// One line for an operator: `queued again (3 attempts so far)`, `unknown`, …
    public var summary: String {
        switch outcome {
        case .queued(let attempts): return "queued again (\(attempts) attempt\(attempts == 1 ? "" : "s") so far)"
        case .unknown: return "unknown (or expired after its retention)"
        case .notRetryable(let status): return "not retryable: it is \(status.rawValue) (only failed jobs are retried)"
        case .uploadMissing(let fileID): return "refused: its upload \(fileID.lowercasedString) no longer exists"
        }
    }
}
