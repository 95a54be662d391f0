/// When to call the GPU endpoint again after a failure.
///
/// AWS "full jitter" (`delay = random(0, min(cap, base · 2^retry))`, `retry`
/// 0 for the first retry): many workers hit by the same rate limit or outage
/// spread out instead of returning in lock-step. A server hint
/// (`Retry-After`, `RetryInfo`) wins when it is longer, because calling before
/// it only earns another 429. The job deadline bounds the whole thing so a
/// user is not kept waiting on a job that cannot finish in time.
public struct BackoffPolicy: Sendable {
    /// Returns a value in the given range; injectable so tests are deterministic.
    public typealias RandomSource = @Sendable (ClosedRange<Double>) -> Double

    /// `RETRY_BASE_DELAY`: the ceiling of the first retry's delay.
    public var base: Duration
    /// `RETRY_MAX_DELAY`: the ceiling never grows past this.
    public var cap: Duration
    /// `MAX_RETRIES`: retries after the first attempt (3 → at most 4 calls).
    public var maxRetries: Int
    /// Time from job creation after which no retry is scheduled.
    public var jobDeadline: Duration
    public var random: RandomSource

    public init(
        base: Duration = .seconds(1), cap: Duration = .seconds(60), maxRetries: Int = 3,
        jobDeadline: Duration = .seconds(1800),
        random: @escaping RandomSource = { Double.random(in: $0) }
    ) {
        self.base = base
        self.cap = cap
        self.maxRetries = maxRetries
        self.jobDeadline = jobDeadline
        self.random = random
    }

    /// Calls allowed per job: the first plus `maxRetries`.
    public var maxAttempts: Int { max(maxRetries, 0) + 1 }

    /// `min(cap, base · 2^retry)`, the upper bound of the jittered delay for
    /// the retry with zero-based index `retry`.
    public func ceiling(forRetry retry: Int) -> Duration {
        let capSeconds = max(Self.seconds(cap), 0)
        // In Double so a large retry count saturates at the cap instead of overflowing.
        let grown = max(Self.seconds(base), 0) * Double(sign: .plus, exponent: max(retry, 0), significand: 1)
        return Self.duration(min(capSeconds, grown))
    }

    /// The decision after `attempt` calls (1-based) have been made and the
    /// last one failed with `error`.
    ///
    /// Gives up when the error is final, when `attempt > maxRetries` (the
    /// retries are used up), or when waiting would pass `jobDeadline`.
    public func decision(afterAttempt attempt: Int, error: VertexError, elapsedSinceJobCreated: Duration) -> RetryDecision {
        guard error.kind == .retryable else {
            return .giveUp(reason: "\(error.message) (not retryable)")
        }
        guard attempt <= maxRetries else {
            let calls = max(attempt, 1)
            return .giveUp(reason: "\(error.message) (gave up after \(calls) attempt\(calls == 1 ? "" : "s"))")
        }
        let upper = Self.seconds(ceiling(forRetry: max(attempt, 1) - 1))
        // Clamped: an injected source must not be able to push the delay out of range.
        let drawn = random(0...upper)
        var delay = Self.duration(drawn.isFinite ? min(max(drawn, 0), upper) : upper)
        if let hint = error.retryAfter, hint > delay { delay = hint }

        let elapsed = max(elapsedSinceJobCreated, .zero)
        // `<`, not `<=`, for the elapsed time: a retry due exactly at the
        // deadline would start with no time left to run.
        guard elapsed < jobDeadline, elapsed + delay <= jobDeadline else {
            return .giveUp(reason:
                "\(error.message) (waiting \(VertexError.seconds(delay)) s would pass the job deadline of "
                + "\(VertexError.seconds(jobDeadline)) s; \(VertexError.seconds(elapsed)) s already elapsed)")
        }
        return .retry(after: delay)
    }

    /// The progress line shown while a job waits, e.g.
    /// "Rate limited by the GPU endpoint; retrying in 4 s (attempt 2 of 4)".
    /// Seconds are rounded up so a short delay never reads as "0 s".
    public func message(for error: VertexError, delay: Duration, nextAttempt: Int) -> String {
        "\(error.headline); retrying in \(VertexError.seconds(max(delay, .zero))) s (attempt \(nextAttempt) of \(maxAttempts))"
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }

    /// Microsecond resolution is plenty for a sleep and keeps the conversion exact
    /// for the whole seconds tests use.
    private static func duration(_ seconds: Double) -> Duration {
        .microseconds(Int64((seconds * 1_000_000).rounded()))
    }
}
