import SystemSupport

/// How cost alerts are delivered: the POST's timeouts, how long a deliverer holds an alert, the
/// backoff between tries and when to give up. Fixed defaults in production; tests shorten them.
public struct CostAlertPolicy: Sendable {
    /// Bound on reaching the receiver.
    public var connectTimeout: Duration
    /// Bound on the whole POST.
    public var timeout: Duration
    /// How long a claimed alert is this deliverer's; longer than `timeout`, so a slow POST is
    /// not delivered a second time by another process while it is still in flight.
    public var lease: Duration
    /// The first retry waits about this long, each later one about twice as long as the one before…
    public var backoffBase: Duration
    /// …up to this.
    public var backoffCap: Duration
    /// An alert not delivered this long after it was decided is dropped (with an error log line).
    public var giveUpAfter: Duration
    /// How often an idle deliverer looks at the outbox (it also wakes when the next retry is due).
    public var pollInterval: Duration
    /// The longest a receiver's `Retry-After` (on a 429 or 503) may hold back the next try: a
    /// receiver asking for a day, or a clock far off, still gets the alert within the give-up age.
    public var retryAfterCap: Duration

    public init(
        connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(15), lease: Duration = .seconds(60),
        backoffBase: Duration = .seconds(10), backoffCap: Duration = .seconds(900), giveUpAfter: Duration = .seconds(86_400),
        pollInterval: Duration = .seconds(5), retryAfterCap: Duration = .seconds(3_600)
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.lease = lease
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.giveUpAfter = giveUpAfter
        self.pollInterval = pollInterval
        self.retryAfterCap = retryAfterCap
    }

    /// The wait after failed delivery number `attempt` (1 = the first): see `Backoff.equalJitter`.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        Backoff.equalJitter(afterAttempt: attempt, base: backoffBase, cap: backoffCap, random: random)
    }

    /// The wait before the next try: the backoff, or the receiver's `Retry-After` (up to
    /// `retryAfterCap`) when it asks for longer, so the next try is never earlier than it asked.
    public func delay(afterAttempt attempt: Int, random: Double, retryAfter: Duration?) -> Duration {
        let backoff = backoff(afterAttempt: attempt, random: random)
        guard let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, retryAfterCap))
    }
}
