import Synchronization

/// Shared by every connection of one client: once a connect fails, commands
/// fail fast until the backoff has passed, instead of each waiting out a
/// connect timeout; the first command after it tries again.
final class RedisHealth: Sendable {
    private struct State {
        var consecutiveFailures = 0
        var retryAt: ContinuousClock.Instant?
        var lastError = ""
    }

    private let state = Mutex(State())
    private let initialBackoff: Duration
    private let maximumBackoff: Duration

    init(initialBackoff: Duration = .milliseconds(50), maximumBackoff: Duration = .seconds(2)) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Nil when a connect attempt may be made now, else the error to fail with.
    func refusalBeforeConnecting() -> RedisError? {
        state.withLock { state in
            guard let retryAt = state.retryAt, ContinuousClock.now < retryAt else { return nil }
            return .unavailable(state.lastError)
        }
    }

    func connectFailed(_ error: RedisError) {
        state.withLock { state in
            state.consecutiveFailures += 1
            let exponent = min(state.consecutiveFailures - 1, 16)
            let backoff = min(initialBackoff * (1 << exponent), maximumBackoff)
            state.retryAt = .now + backoff
            if case .unavailable(let why) = error { state.lastError = why } else { state.lastError = error.description }
        }
    }

    func connected() {
        state.withLock { state in
            state.consecutiveFailures = 0
            state.retryAt = nil
        }
    }

    /// Whether the last connect attempt failed (for readiness checks).
    var isDown: Bool { state.withLock { $0.consecutiveFailures > 0 } }
}
