import Foundation

/// How a failed Cloud Storage request is tried again, as Google documents for Cloud Storage
/// ("Retry strategy"): only transient failures (HTTP 408, 429, 5xx, timeouts, dropped or refused
/// connections), only for idempotent requests, with exponential backoff and jitter, within a total
/// deadline. Defaults are Google client libraries': first delay 1 s, doubling, at most 32 s between
/// tries, 120 s in all; and at most 6 attempts, whichever ends first.
///
/// The delay before retry `n` (0-based) is drawn from `0...min(maxDelay, initialDelay · multiplier^n)`
/// ("full jitter"), so many workers hit by one outage do not come back in lock-step.
public struct StorageRetryPolicy: Sendable {
    public typealias RandomSource = @Sendable (ClosedRange<Double>) -> Double
    public typealias Sleep = @Sendable (Duration) async throws -> Void
    public typealias Now = @Sendable () -> ContinuousClock.Instant

    public var initialDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration
    /// No retry is started once this has passed since the first attempt began, nor one whose
    /// delay would end past it.
    public var deadline: Duration
    public var maxAttempts: Int
    /// Injectable so tests are deterministic and need not wait.
    public var random: RandomSource
    public var sleep: Sleep
    public var now: Now

    public init(
        initialDelay: Duration = .seconds(1), multiplier: Double = 2, maxDelay: Duration = .seconds(32),
        deadline: Duration = .seconds(120), maxAttempts: Int = 6,
        random: @escaping RandomSource = { Double.random(in: $0) },
        sleep: @escaping Sleep = { try await Task.sleep(for: $0) },
        now: @escaping Now = { ContinuousClock.now }
    ) {
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.deadline = deadline
        self.maxAttempts = maxAttempts
        self.random = random
        self.sleep = sleep
        self.now = now
    }

    /// Whether an HTTP status is worth another try (Google's list for Cloud Storage).
    public static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// The wait before retry number `retry` (0 for the first), or nil when the retries are used up:
    /// `attempts` made so far, `elapsed` since the first began.
    func delay(beforeRetry retry: Int, attempts: Int, elapsed: Duration) -> Duration? {
        guard attempts < maxAttempts, elapsed < deadline else { return nil }
        let ceiling = min(
            seconds(maxDelay), max(seconds(initialDelay), 0) * pow(max(multiplier, 1), Double(max(retry, 0))))
        let drawn = random(0...max(ceiling, 0))
        // Clamped: an injected source must not push the delay out of range.
        let delay = Duration.microseconds(Int64((drawn.isFinite ? min(max(drawn, 0), ceiling) : ceiling) * 1e6))
        guard elapsed + delay <= deadline else { return nil }
        return delay
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }
}
