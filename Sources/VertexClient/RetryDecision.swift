/// What to do after a failed call: wait and call again, or fail the job.
public enum RetryDecision: Sendable, Equatable {
    /// Call again after this delay (the queue parks the job in its delayed set).
    case retry(after: Duration)
    /// Fail the job; `reason` is a sentence for the job record.
    case giveUp(reason: String)
}
