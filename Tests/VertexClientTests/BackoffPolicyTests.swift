import Foundation
import Testing
import VertexClient

@Suite struct BackoffPolicyTests {
    static let upper: BackoffPolicy.RandomSource = { $0.upperBound }
    static let lower: BackoffPolicy.RandomSource = { $0.lowerBound }

    let unavailable = VertexError.fromHTTP(status: 503, headers: [:], body: [], now: Date())
    let rateLimited = VertexError.fromHTTP(
        status: 429, headers: [:],
        body: Array(#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Quota exceeded"}}"#.utf8),
        now: Date())

    @Test func defaults() {
        let policy = BackoffPolicy()
        #expect(policy.base == .seconds(1))
        #expect(policy.cap == .seconds(60))
        #expect(policy.maxRetries == 3)
        #expect(policy.maxAttempts == 4)
        #expect(policy.jobDeadline == .seconds(1800))
    }

    @Test func upperBoundGivesOneTwoFourSeconds() {
        let policy = BackoffPolicy(random: Self.upper)
        let delays = (1...3).map {
            policy.decision(afterAttempt: $0, error: unavailable, elapsedSinceJobCreated: .seconds(10))
        }
        #expect(delays == [.retry(after: .seconds(1)), .retry(after: .seconds(2)), .retry(after: .seconds(4))])
    }

    @Test func jitterIsDrawnFromZeroToTheCeiling() {
        let ranges = Ranges()
        let policy = BackoffPolicy(random: { range in ranges.append(range); return range.upperBound / 2 })
        #expect(policy.decision(afterAttempt: 3, error: unavailable, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(2)))
        #expect(ranges.values == [0...4])
        #expect(BackoffPolicy(random: Self.lower).decision(afterAttempt: 1, error: unavailable, elapsedSinceJobCreated: .zero)
            == .retry(after: .zero))
    }

    @Test func capIsRespected() {
        let policy = BackoffPolicy(base: .seconds(1), cap: .seconds(5), maxRetries: 10, random: Self.upper)
        let delays = (1...6).map { policy.decision(afterAttempt: $0, error: unavailable, elapsedSinceJobCreated: .zero) }
        #expect(delays == [1, 2, 4, 5, 5, 5].map { RetryDecision.retry(after: .seconds($0)) })
        #expect(policy.ceiling(forRetry: 500) == .seconds(5))
        // A source returning nonsense cannot escape the range.
        let wild = BackoffPolicy(cap: .seconds(5), maxRetries: 10, random: { _ in 1e9 })
        #expect(wild.decision(afterAttempt: 9, error: unavailable, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(5)))
    }

    @Test func givesUpAfterMaxRetries() {
        let policy = BackoffPolicy(random: Self.upper)
        #expect(policy.decision(afterAttempt: 3, error: unavailable, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(4)))
        guard case .giveUp(let reason) = policy.decision(afterAttempt: 4, error: unavailable, elapsedSinceJobCreated: .zero) else {
            Issue.record("a fifth call was scheduled")
            return
        }
        #expect(reason.contains("gave up after 4 attempts"))
        #expect(reason.contains("GPU endpoint unavailable"))

        let none = BackoffPolicy(maxRetries: 0, random: Self.upper)
        #expect(none.maxAttempts == 1)
        #expect(isGiveUp(none.decision(afterAttempt: 1, error: unavailable, elapsedSinceJobCreated: .zero)))
    }

    @Test(arguments: [400, 401, 403, 404, 413])
    func finalErrorsAreNotRetried(status: Int) {
        let policy = BackoffPolicy(random: Self.upper)
        let error = VertexError.fromHTTP(status: status, headers: ["Retry-After": "1"], body: [], now: Date())
        guard case .giveUp(let reason) = policy.decision(afterAttempt: 1, error: error, elapsedSinceJobCreated: .zero) else {
            Issue.record("\(status) was retried")
            return
        }
        #expect(reason.contains("not retryable"))
        #expect(reason.contains("HTTP \(status)"))
        #expect(isGiveUp(policy.decision(afterAttempt: 1, error: .malformedResponse("x"), elapsedSinceJobCreated: .zero)))
    }

    @Test func serverHintWinsOnlyWhenLonger() {
        let policy = BackoffPolicy(random: Self.upper)
        var hinted = rateLimited
        hinted.retryAfter = .seconds(4)
        #expect(policy.decision(afterAttempt: 1, error: hinted, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(4)))
        hinted.retryAfter = .milliseconds(500)
        #expect(policy.decision(afterAttempt: 1, error: hinted, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(1)))
        // Longer than the cap still wins: calling earlier only earns another 429.
        let capped = BackoffPolicy(cap: .seconds(2), random: Self.upper)
        hinted.retryAfter = .seconds(90)
        #expect(capped.decision(afterAttempt: 1, error: hinted, elapsedSinceJobCreated: .zero) == .retry(after: .seconds(90)))
    }

    @Test func jobDeadlineIsRespected() {
        let policy = BackoffPolicy(jobDeadline: .seconds(100), random: Self.upper)
        #expect(policy.decision(afterAttempt: 3, error: unavailable, elapsedSinceJobCreated: .seconds(96)) == .retry(after: .seconds(4)))
        guard case .giveUp(let reason) = policy.decision(afterAttempt: 3, error: unavailable, elapsedSinceJobCreated: .seconds(97)) else {
            Issue.record("a retry past the deadline was scheduled")
            return
        }
        #expect(reason.contains("job deadline of 100 s"))

        var hinted = rateLimited
        hinted.retryAfter = .seconds(3600)
        #expect(isGiveUp(BackoffPolicy(random: Self.upper).decision(afterAttempt: 1, error: hinted, elapsedSinceJobCreated: .seconds(5))))
        // Already past the deadline: nothing is scheduled even for a tiny delay.
        let instant = BackoffPolicy(jobDeadline: .seconds(100), random: Self.lower)
        #expect(instant.decision(afterAttempt: 1, error: unavailable, elapsedSinceJobCreated: .seconds(99)) == .retry(after: .zero))
        #expect(isGiveUp(instant.decision(afterAttempt: 1, error: unavailable, elapsedSinceJobCreated: .seconds(100))))
    }

    @Test func rateLimitMessageHasTheExactShape() {
        let policy = BackoffPolicy()
        #expect(policy.message(for: rateLimited, delay: .seconds(4), nextAttempt: 2)
            == "Rate limited by the GPU endpoint; retrying in 4 s (attempt 2 of 4)")
        // Rounded up: 3.2 s reads as 4 s, 0.3 s as 1 s.
        #expect(policy.message(for: rateLimited, delay: .milliseconds(3200), nextAttempt: 2)
            == "Rate limited by the GPU endpoint; retrying in 4 s (attempt 2 of 4)")
        #expect(policy.message(for: rateLimited, delay: .milliseconds(300), nextAttempt: 4)
            == "Rate limited by the GPU endpoint; retrying in 1 s (attempt 4 of 4)")
    }

    @Test func otherErrorMessages() {
        let policy = BackoffPolicy()
        let google = VertexError.fromHTTP(
            status: 503, headers: [:],
            body: Array(#"{"error":{"code":503,"status":"UNAVAILABLE","message":"The service is currently unavailable."}}"#.utf8),
            now: Date())
        #expect(policy.message(for: google, delay: .milliseconds(1700), nextAttempt: 3)
            == "GPU endpoint unavailable (503 UNAVAILABLE); retrying in 2 s (attempt 3 of 4)")
        #expect(policy.message(for: unavailable, delay: .seconds(2), nextAttempt: 3)
            == "GPU endpoint unavailable (HTTP 503 Service Unavailable); retrying in 2 s (attempt 3 of 4)")
        #expect(policy.message(for: .timedOut(after: .seconds(300)), delay: .seconds(1), nextAttempt: 2)
            == "GPU call timed out; retrying in 1 s (attempt 2 of 4)")
        #expect(policy.message(for: .connectionFailed("Connection reset by peer"), delay: .seconds(8), nextAttempt: 4)
            == "Could not connect to the GPU endpoint; retrying in 8 s (attempt 4 of 4)")
    }
}

func isGiveUp(_ decision: RetryDecision) -> Bool {
    if case .giveUp = decision { return true }
    return false
}

/// Records the ranges the policy asks the random source for.
final class Ranges: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ClosedRange<Double>] = []
    func append(_ range: ClosedRange<Double>) { lock.withLock { stored.append(range) } }
    var values: [ClosedRange<Double>] { lock.withLock { stored } }
}
