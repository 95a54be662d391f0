import SystemSupport

/// How webhook events are delivered: the POST's bounds, how long a deliverer holds an event, the
/// backoff between tries and when to give up. Defaults for production; tests shorten them.
public struct WebhookPolicy: Sendable {
    public var connectTimeout: Duration
    /// Bound on the whole POST.
    public var timeout: Duration
    /// The most of a receiver's answer read (its body is not used).
    public var maxResponseBytes: Int
    /// How long a claimed event is this deliverer's: longer than `timeout`, so a slow POST is not
    /// sent again by another process while it is still in flight; a killed deliverer's event is
    /// taken over when it ends.
    public var lease: Duration
    /// The first retry waits about this long, each later one about twice as long…
    public var backoffBase: Duration
    /// …up to this.
    public var backoffCap: Duration
    /// `WEBHOOK_RETRY_HOURS`: an event pending this long is dropped.
    public var giveUpAfter: Duration
    /// How often an idle deliverer looks at the outbox (it also wakes when a retry is due).
    public var pollInterval: Duration

    public init(
        connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(15), maxResponseBytes: Int = 64 << 10,
        lease: Duration = .seconds(60), backoffBase: Duration = .seconds(5), backoffCap: Duration = .seconds(3_600),
        giveUpAfter: Duration = .seconds(86_400), pollInterval: Duration = .seconds(1)
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.lease = lease
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.giveUpAfter = giveUpAfter
        self.pollInterval = pollInterval
    }

    /// The wait after failed try number `attempt` (1 = the first): see `Backoff.equalJitter`.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        Backoff.equalJitter(afterAttempt: attempt, base: backoffBase, cap: backoffCap, random: random)
    }
}
