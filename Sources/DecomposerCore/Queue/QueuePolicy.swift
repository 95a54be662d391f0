/// The queue's rules, from configuration.
public struct QueuePolicy: Sendable, Equatable {
    /// How long a claim holds without renewal; workers renew about every third of it.
    public var leaseDuration: Duration
    /// Calls to the endpoint a job may take: `MAX_RETRIES + 1`. Also bounds
    /// how often a job may be recovered from dead workers.
    public var maxAttempts: Int
    /// How long finished jobs (and idempotency keys) stay in Redis.
    public var retention: Duration
    /// The dead-letter set keeps at most this many failed jobs.
    public var deadLetterLimit: Int
    /// Queued + delayed jobs beyond which enqueue is refused.
    public var maxQueueDepth: Int

    public init(
        leaseDuration: Duration = .seconds(30),
        maxAttempts: Int = 4,
        retention: Duration = .seconds(7 * 86_400),
        deadLetterLimit: Int = 10_000,
        maxQueueDepth: Int = 10_000
    ) {
        self.leaseDuration = leaseDuration
        self.maxAttempts = maxAttempts
        self.retention = retention
        self.deadLetterLimit = deadLetterLimit
        self.maxQueueDepth = maxQueueDepth
    }
}
