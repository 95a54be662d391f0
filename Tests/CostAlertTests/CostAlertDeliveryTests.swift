import CostAlerts
import CostTracker
import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

/// Delivery: at least once, normally once; retried with backoff on Redis's clock while the
/// receiver fails; refused alerts and alerts older than the give-up age are dropped with a log line.
@Suite struct CostAlertDeliveryTests {
    /// The receiver drops the connection, then answers 503, then 200: three POSTs, each only once
    /// its backoff is over, and the alert is delivered once and never again.
    @Test func aReceiverDownThenUpGetsTheAlertOnce() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        let receiver = try AlertReceiver([.close, .respond(status: 503), .respond(status: 200)])
        let metrics = CostAlertMetrics()
        let deliverer = context.deliverer(receiver.url, metrics: metrics)

        let first = try await deliverer.deliverDue()
        guard case .attempted(let alert, .retrying(let wait, _))? = first.first else {
            Issue.record("expected a retry, got \(first)")
            return
        }
        #expect(first.count == 1 && alert.attempts == 1)
        // Equal jitter at 0.5: three quarters of the 2 s base.
        #expect(wait == .milliseconds(1_500))
        #expect(try await deliverer.deliverDue().isEmpty, "not due again before its backoff is over")
        #expect(receiver.requests.count == 1)

        context.clock.advance(by: wait)
        let second = try await deliverer.deliverDue()
        guard case .attempted(_, .retrying(let longer, "HTTP 503"))? = second.first else {
            Issue.record("expected a retry after 503, got \(second)")
            return
        }
        #expect(longer == .milliseconds(3_000), "the backoff doubles")
        context.clock.advance(by: longer)
        let third = try await deliverer.deliverDue()
        #expect(third.count == 1)
        if case .attempted(let delivered, let outcome)? = third.first {
            #expect(outcome == .delivered && delivered.attempts == 3)
        }
        context.clock.advance(by: .seconds(3600))
        #expect(try await deliverer.deliverDue().isEmpty)
        #expect(receiver.requests.count == 3)
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
        let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"decomposer_cost_alert_deliveries_total{outcome="delivered"} 1"#))
        #expect(text.contains(#"decomposer_cost_alert_deliveries_total{outcome="failed"} 2"#))
    }

    /// Nothing listens at all (connection refused): retried, never dropped before the give-up age.
    @Test func aRefusedConnectionIsRetried() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        let closed = try ClosedLoopbackPort()
        let steps = try await context.deliverer(closed.url + "/hook").deliverDue()
        guard case .attempted(_, .retrying)? = steps.first else {
            Issue.record("expected a retry, got \(steps)")
            return
        }
        #expect(try await context.queue.pendingCostAlerts().count == 1)
    }

    /// 4xx other than 408 and 429 mean the receiver will never take it: dropped at once, with an
    /// error log line; 408 and 429 are retried.
    @Test(arguments: [(400, false), (401, false), (404, false), (410, false), (408, true), (429, true), (500, true)])
    func aStatusIsRetriedOrGivenUp(status: Int, retried: Bool) async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        let receiver = try AlertReceiver([.respond(status: status)])
        let deliverer = context.deliverer(receiver.url)
        let steps = try await deliverer.deliverDue()
        #expect(steps.count == 1)
        guard case .attempted(_, let outcome)? = steps.first else { return }
        if retried {
            guard case .retrying = outcome else {
                Issue.record("HTTP \(status) should be retried, got \(outcome)")
                return
            }
            #expect(try await context.queue.pendingCostAlerts().count == 1)
        } else {
            #expect(outcome == .gaveUp(reason: "HTTP \(status)"))
            #expect(try await context.queue.pendingCostAlerts().isEmpty)
            context.clock.advance(by: .seconds(3600))
            #expect(try await deliverer.deliverDue().isEmpty)
            #expect(receiver.requests.count == 1, "never sent again")
            #expect(context.log.all.contains { $0.hasPrefix("error") && $0.contains("refused by the receiver (HTTP \(status))") })
        }
    }

    /// A receiver down for longer than the give-up age: tried with growing waits, the last try at
    /// that age at the latest, then dropped with an error line.
    @Test func anAlertUndeliveredForTheGiveUpAgeIsDropped() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        let receiver = try AlertReceiver([.respond(status: 503)])
        let deliverer = context.deliverer(receiver.url)
        let start = context.clock.now
        var outcomes: [CostAlertDeliverer.Outcome] = []
        for _ in 0..<200 {
            guard case .attempted(_, let outcome)? = try await deliverer.deliverDue().first else {
                Issue.record("the alert was not due when its backoff was over")
                return
            }
            outcomes.append(outcome)
            guard case .retrying(let wait, _) = outcome else { break }
            context.clock.advance(by: wait)
        }
        #expect(outcomes.last == .gaveUp(reason: "HTTP 503"))
        #expect(context.clock.now - start == 3_600_000, "the last try falls exactly at the give-up age")
        #expect(outcomes.count == receiver.requests.count)
        #expect(outcomes.count > 60 && outcomes.count < 100, "waits grew to the 60 s cap: \(outcomes.count) tries")
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
        #expect(context.log.all.contains { $0.hasPrefix("error") && $0.contains("given up") })
    }

    /// A deliverer that dies holding an alert: nobody else sends it during its lease; after it,
    /// another deliverer does, once; the dead one's late report changes nothing.
    @Test func anAlertHeldByADeadDelivererIsDeliveredAfterItsLease() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5]).recordAttempt(jobID: nil, duration: .seconds(600), succeeded: true)
        guard case .claimed(let held) = try await context.queue.claimCostAlert(lease: .seconds(60), token: "dead") else {
            Issue.record("nothing to claim")
            return
        }
        let receiver = try AlertReceiver()
        let deliverer = context.deliverer(receiver.url)
        #expect(try await deliverer.deliverDue().isEmpty)
        context.clock.advance(by: .seconds(61))
        let steps = try await deliverer.deliverDue()
        #expect(steps.count == 1 && receiver.requests.count == 1)
        #expect(try await context.queue.retryCostAlert(held, after: .seconds(1), giveUpAfter: .seconds(3600)) == .lost)
        context.clock.advance(by: .seconds(3600))
        #expect(try await deliverer.deliverDue().isEmpty)
        #expect(receiver.requests.count == 1)
    }

    /// Slack's incoming-webhook shape: `{"text": …}` alone, with spent, budget, percentage, day and
    /// the costliest jobs in one line.
    @Test func theSlackFormatIsOneReadableLine() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let job = UUID()
        try await context.tracker(budgetUSD: 50, thresholds: [0.8])
            .recordAttempt(jobID: job, duration: .seconds(40_500), succeeded: true)
        let receiver = try AlertReceiver()
        _ = try await context.deliverer(receiver.url, format: .slack).deliverDue()
        let body = try #require(receiver.bodies.first)
        #expect(Array(body.keys) == ["text"])
        let text = try #require(body["text"] as? String)
        #expect(text == "GPU cost alert: $40.50 spent on \(context.day) (UTC), 81.0% of the $50.00 daily budget "
            + "(threshold 80%). Costliest jobs: \(job.lowercasedString) $40.50.")
        #expect(receiver.requests.first?.headers["content-type"] == "application/json")
    }

    /// A webhook URL's path is its secret (Slack's are): logs name only the scheme and host.
    @Test func logsNeverShowTheWebhooksPath() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        try await context.tracker(thresholds: [0.5, 0.8]).recordAttempt(jobID: nil, duration: .seconds(900), succeeded: true)
        let receiver = try AlertReceiver([.respond(status: 500), .respond(status: 200)])
        let secretURL = receiver.server.baseURL + "/services/T0SECRET/B0SECRET/xoxsecret?token=s3cr3t"
        let deliverer = context.deliverer(secretURL)
        _ = try await deliverer.deliverDue()
        #expect(receiver.requests.map(\.path).allSatisfy { $0.contains("T0SECRET") }, "the POST goes to the whole URL")
        #expect(context.log.all.count == 2)
        #expect(context.log.all.allSatisfy { !$0.contains("SECRET") && !$0.contains("s3cr3t") && $0.contains(receiver.server.baseURL) })
        #expect(deliverer.receiver == receiver.server.baseURL)
        #expect(CostAlertSettings.redacted(URL(string: "https://hooks.slack.com/services/T0/B0/x")!) == "https://hooks.slack.com")
    }
}
