/// The queue's rules, from configuration.
public struct QueuePolicy: Sendable, Equatable {
    /// How long a claim holds without renewal; workers renew about every third of it.
    public var leaseDuration: Duration
    /// Calls to the endpoint a job may take: `MAX_RETRIES + 1`.
    public var maxAttempts: Int
    /// Times a job may be taken back from workers that died holding it before
    /// it fails as `abandoned` (a job that crashes workers cannot loop
    /// forever). `MAX_RECOVERIES`; defaults to `maxAttempts`.
    public var maxRecoveries: Int
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
        maxQueueDepth: Int = 10_000,
        maxRecoveries: Int? = nil
    ) {
        self.maxRecoveries = maxRecoveries ?? maxAttempts
        self.leaseDuration = leaseDuration
        self.maxAttempts = maxAttempts
        self.retention = retention
        self.deadLetterLimit = deadLetterLimit
        self.maxQueueDepth = maxQueueDepth
    }
}
