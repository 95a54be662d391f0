import CostAlerts
import CostTracker
import DecomposerCore
import Foundation
import Testing
import TestSupport

/// A receiver's `Retry-After` on a 429 or 503 (delta-seconds or an HTTP date): the next try is not
/// earlier than it asked, up to `retryAfterCap`; a shorter or unreadable one leaves the backoff.
@Suite struct CostAlertRetryAfterTests {
    /// The short test policy, with the Retry-After cap at ten minutes.
    static let policy = CostAlertPolicy(
        lease: .seconds(60), backoffBase: .seconds(2), backoffCap: .seconds(60), giveUpAfter: .seconds(3600),
        pollInterval: .milliseconds(20), retryAfterCap: .seconds(600))

    /// One alert raised, the receiver answering `first` and then 200; the wait the deliverer
    /// scheduled after the first POST.
    static func firstWait(_ context: AlertTestContext, _ receiver: AlertReceiver) async throws -> Duration? {
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        let steps = try await context.deliverer(receiver.url, policy: policy).deliverDue()
        guard steps.count == 1, case .attempted(_, .retrying(let wait, _))? = steps.first else {
            Issue.record("expected one retry, got \(steps)")
            return nil
        }
        return wait
    }

    /// Not delivered a moment before `wait` is over, delivered once it is.
    static func expectDueExactlyAfter(_ wait: Duration, _ context: AlertTestContext, _ receiver: AlertReceiver)
        async throws
    {
        let deliverer = context.deliverer(receiver.url, policy: policy)
        context.clock.advance(by: wait - .milliseconds(1))
        #expect(try await deliverer.deliverDue().isEmpty, "not tried before the receiver's Retry-After")
        #expect(receiver.requests.count == 1)
        context.clock.advance(by: .milliseconds(1))
        let steps = try await deliverer.deliverDue()
        guard case .attempted(_, let outcome)? = steps.first else {
            Issue.record("expected a delivery, got \(steps)")
            return
        }
        #expect(outcome == .delivered)
        #expect(receiver.requests.count == 2)
    }

    @Test(arguments: [429, 503])
    func retryAfterSecondsHoldsBackTheNextTry(status: Int) async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let receiver = try AlertReceiver([.respond(status: status, headers: ["Retry-After": "120"]), .respond(status: 200)])
        let wait = try #require(try await Self.firstWait(context, receiver))
        #expect(wait == .seconds(120), "the receiver's 120 s, not the 1.5 s backoff")
        try await Self.expectDueExactlyAfter(wait, context, receiver)
    }

    @Test func retryAfterAsAnHTTPDateHoldsBackTheNextTryUntilThen() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date().addingTimeInterval(300))
        let receiver = try AlertReceiver([.respond(status: 503, headers: ["Retry-After": date]), .respond(status: 200)])
        let wait = try #require(try await Self.firstWait(context, receiver))
        // Measured from when the answer arrived, to a date of whole seconds: a little under 300 s.
        #expect(wait > .seconds(200) && wait <= .seconds(300), "\(date) → \(wait)")
        try await Self.expectDueExactlyAfter(wait, context, receiver)
    }

    @Test func aRetryAfterBeyondTheCapWaitsOnlyTheCap() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let receiver = try AlertReceiver([.respond(status: 429, headers: ["Retry-After": "86400"]), .respond(status: 200)])
        #expect(try await Self.firstWait(context, receiver) == .seconds(600))
    }

    /// Shorter than the backoff, unreadable, or on a status that does not carry it: the backoff.
    @Test(arguments: [(429, "0"), (503, "soon"), (500, "120")])
    func otherwiseTheBackoffDecides(status: Int, header: String) async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let receiver = try AlertReceiver([.respond(status: status, headers: ["Retry-After": header]), .respond(status: 200)])
        #expect(try await Self.firstWait(context, receiver) == .milliseconds(1_500), "equal jitter at 0.5 of the 2 s base")
    }

    @Test func theDelayIsTheLongerOfBackoffAndRetryAfterUpToTheCap() {
        let policy = Self.policy
        #expect(policy.delay(afterAttempt: 1, random: 0.5, retryAfter: nil) == .milliseconds(1_500))
        #expect(policy.delay(afterAttempt: 1, random: 0.5, retryAfter: .seconds(1)) == .milliseconds(1_500))
        #expect(policy.delay(afterAttempt: 1, random: 0.5, retryAfter: .seconds(30)) == .seconds(30))
        #expect(policy.delay(afterAttempt: 1, random: 0.5, retryAfter: .seconds(7_200)) == .seconds(600))
    }
}
