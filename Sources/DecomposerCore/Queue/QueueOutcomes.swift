import Foundation

/// A claimed job and the token that proves the claim. Only the holder of the
/// current token can change the job (fencing).
public struct JobLease: Sendable, Equatable {
    public let job: Job
    public let token: String
}

public enum EnqueueOutcome: Sendable, Equatable {
    case created(UUID)
    /// The idempotency key was seen before with the same request.
    case existing(UUID)

    public var jobID: UUID {
        switch self {
        case .created(let id), .existing(let id): return id
        }
    }
}

public enum ClaimOutcome: Sendable, Equatable {
    case claimed(JobLease)
    /// Nothing to run. `wakeAt` is when a retry falls due or a lease expires
    /// (ms, Redis clock), `now` the script's clock reading.
    case empty(wakeAt: Int64?, now: Int64)
    /// The queue is held (the daily budget is spent) for `remaining` more; `message` says why.
    case held(message: String, remaining: Duration)
    /// An operator paused the queue (`decomposer queue pause`) until `queue resume`.
    case paused(message: String)
}

/// Jobs one claim took (at least one), and the wait list's length right after it: a worker
/// whose call slots are all busy skips a claim ahead the count says would find nothing.
public struct ClaimedJobs: Sendable {
    public let leases: [JobLease]
    public let waiting: Int
}

/// What `JobQueue.startCall` did: the endpoint may be called, or the fleet is paused.
public enum CallStart: Sendable, Equatable {
    /// The call is recorded as the job's next attempt: make it.
    case started
    /// The endpoint asked the whole fleet to hold off (a 429) for `remaining` more; nothing was
    /// written. Ask again after it.
    case paused(remaining: Duration)
}

public enum RetryOutcome: Sendable, Equatable {
    case scheduled
    /// No attempts left: the job failed with the error.
    case exhausted
}

public enum CancelOutcome: Sendable, Equatable {
    case cancelled(was: JobStatus)
    case alreadyFinished(JobStatus)
    case notFound
}
