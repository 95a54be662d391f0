import CurlHTTP
import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport
import Webhooks

/// When deliveries fail: retried with backoff on Redis's clock while the receiver is down, stopped
/// by a 410, given up after the give-up age, taken over after a dead deliverer's lease, never sent
/// to a name that resolves inside.
@Suite struct WebhookFailureTests {
    /// The receiver is down (connection closed, then 503), then up: every event arrives, once
    /// each, in order, each retry only once its backoff is over on the queue's clock.
    @Test func aReceiverDownThenUpGetsEveryEventInOrder() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver([.close, .respond(status: 503), .respond(status: 500), .respond(status: 200)])
        defer { receiver.stop() }
        let metrics = WebhookMetrics()
        let deliverer = context.deliverer(metrics: metrics)
        let id = try await context.job(receiver.url, events: [.processing, .completed])
        _ = try await context.runNextJob()

        var first = try await deliverer.deliverDue()
        guard case .attempted(let delivery, .scheduled(let wait))? = first.first else {
            Issue.record("expected a retry, got \(first)")
            return
        }
        #expect(delivery.event == "processing" && first.count == 1, "the completed event waits behind it")
        #expect(wait == .milliseconds(1_500))
        #expect(try await deliverer.deliverDue().isEmpty, "not due before its backoff is over")
        for _ in 0..<2 {
            context.clock.advance(by: .seconds(60))
            first = try await deliverer.deliverDue()
            #expect(first.count == 1)
        }
        context.clock.advance(by: .seconds(60))
        let rest = try await deliverer.deliverDue()
        #expect(rest.count == 2)
        #expect(receiver.events.map(\.1) == ["processing", "processing", "processing", "processing", "completed"])
        let ids = receiver.requests.compactMap { $0.headers["webhook-id"] }
        #expect(Set(ids.prefix(4)).count == 1, "one webhook-id for every try of an event")
        #expect(try await context.queue.webhookState(of: id)?.delivered == 2)
        #expect(try await deliverer.deliverDue().isEmpty)
        let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"decomposer_webhook_deliveries_total{outcome="delivered"} 2"#))
        #expect(text.contains(#"decomposer_webhook_deliveries_total{outcome="retried"} 3"#))
    }

    @Test func a410StopsEveryLaterEventOfThatJob() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver([.respond(status: 410)])
        defer { receiver.stop() }
        let id = try await context.job(receiver.url, events: [.processing, .completed])
        guard case .claimed(let lease) = try await context.queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("no job to claim")
            return
        }
        let steps = try await context.deliverer().deliverDue()
        #expect(steps.count == 1)
        guard case .attempted(_, .stopped)? = steps.first else {
            Issue.record("expected stopped, got \(steps)")
            return
        }
        try await context.queue.complete(lease, layers: [])
        #expect(try await context.deliverer().deliverDue().isEmpty, "the completed event is not delivered")
        #expect(receiver.requests.count == 1)
        let state = try #require(try await context.queue.webhookState(of: id))
        #expect(state.stopped && state.pending == 0)
    }

    @Test func anEventPendingLongerThanTheGiveUpAgeIsDroppedAndTheNextOneGoes() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver([.respond(status: 500)])
        defer { receiver.stop() }
        let metrics = WebhookMetrics()
        let deliverer = context.deliverer(metrics: metrics)
        let id = try await context.job(receiver.url, events: [.processing, .completed])
        _ = try await context.runNextJob()
        _ = try await deliverer.deliverDue()
        var gaveUp = 0
        for _ in 0..<200 {
            context.clock.advance(by: .seconds(60))
            for case .attempted(_, .gaveUp) in try await deliverer.deliverDue() { gaveUp += 1 }
            if gaveUp == 2 { break }
        }
        #expect(gaveUp == 2)
        let state = try #require(try await context.queue.webhookState(of: id))
        #expect(state.givenUp == 2 && state.pending == 0 && state.delivered == 0)
        #expect(String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
            .contains(#"decomposer_webhook_deliveries_total{outcome="given_up"} 2"#))
    }

    /// A deliverer that claimed an event and died (never settled it): another process takes it
    /// over once the lease ends, not before; the dead claim can no longer settle it.
    @Test func aDeadDeliverersEventIsTakenOverAfterTheLease() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        _ = try await context.job(receiver.url)
        _ = try await context.runNextJob()
        guard case .claimed(let abandoned) = try await context.queue.claimWebhook(lease: .seconds(60), token: "dead") else {
            Issue.record("nothing claimed")
            return
        }
        let other = context.deliverer(queue: context.otherProcessQueue())
        #expect(try await other.deliverDue().isEmpty, "held by the dead claim until its lease ends")
        context.clock.advance(by: .seconds(61))
        #expect(try await other.deliverDue().count == 1)
        #expect(receiver.events.map(\.1) == ["completed"])
        #expect(try await context.queue.finishWebhook(abandoned, gone: false, result: "HTTP 200") == .lost)
    }

    @Test func aTargetThatResolvesInsideIsNotContactedAndRetried() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        // Accepted at submit (a name), but the deliverer's resolver answers a private address.
        _ = try await context.job("https://hooks.example.com/x")
        _ = try await context.runNextJob()
        let deliverer = WebhookDeliverer(
            queue: context.queue, http: context.http, signer: WebhookSigner(secret: "s")!,
            targets: WebhookTargetPolicy(), resolver: .fixed(["hooks.example.com": [WebhookAddress(literal: "10.1.2.3")!]]),
            policy: WebhookTestContext.policy, logger: .init(label: "t"), random: { 0.5 })
        let steps = try await deliverer.deliverDue()
        guard case .attempted(_, .scheduled)? = steps.first else {
            Issue.record("expected a retry, got \(steps)")
            return
        }
    }
}
