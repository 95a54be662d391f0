/// Where a job is in its life. A job is in exactly one state; only the queue
/// scripts move it between them (see docs/ARCHITECTURE.md).
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case processing
    case completed
    case failed
    case cancelled

    /// Completed, failed and cancelled jobs never change again.
    public var isFinished: Bool {
        switch self {
        case .queued, .processing: return false
        case .completed, .failed, .cancelled: return true
        }
    }
}
