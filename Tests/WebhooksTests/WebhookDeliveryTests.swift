import CurlHTTP
import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport
import Webhooks

/// Delivery through real Redis to a real loopback receiver: in order per job, as the job was at
/// each event, signed; only the events asked for; jobs without a webhook cost nothing.
@Suite struct WebhookDeliveryTests {
    @Test func eventsArriveInOrderAsTheJobWasAtEachEventSigned() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let id = try await context.job(receiver.url, events: [.processing, .completed])
        _ = try #require(try await context.runNextJob(progressTicks: 3))
        let steps = try await context.deliverer().deliverDue()
        #expect(steps.count == 2)
        let events = receiver.events
        #expect(events.map(\.1) == ["processing", "completed"], "progress ticks are no events")
        #expect(events.allSatisfy { $0.0 == id.lowercasedString })
        let bodies = receiver.requests.map { (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] }
        // The processing event carries the job as it was then: no layers yet, at its own version.
        #expect((bodies[0]?["layers"] as? [Any])?.isEmpty == true)
        #expect((bodies[1]?["layers"] as? [Any])?.count == 1)
        let versions = bodies.compactMap { $0?["version"] as? Int }
        #expect(versions.count == 2 && versions[0] < versions[1])

        let signer = try #require(WebhookSigner(secret: WebhookTestContext.secret))
        for request in receiver.requests {
            let id = try #require(request.headers["webhook-id"])
            let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int64($0) })
            #expect(abs(timestamp - Int64(Date().timeIntervalSince1970)) < 600)
            #expect(request.headers["webhook-signature"] == signer.signature(id: id, timestamp: timestamp, body: request.body))
            #expect(request.headers["content-type"] == "application/json")
        }
        #expect(Set(receiver.requests.compactMap { $0.headers["webhook-id"] }).count == 2)
        let state = try #require(try await context.queue.webhookState(of: id))
        #expect(state.delivered == 2 && state.pending == 0 && state.events == 2)
    }

    @Test func aJobWithoutAWebhookAddsNothingToTheOutbox() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        _ = try await context.queue.enqueue(JobRequest(fileID: UUID()))
        _ = try await context.runNextJob()
        #expect(try await context.redis.send(["LLEN", context.queue.keys.webhookOutbox]).int == 0)
        #expect(try await context.deliverer().deliverNext() == .idle(nextIn: nil))
    }

    @Test func onlyTheEventsAskedForAreDelivered() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let kept = try await context.job(receiver.url, events: [.cancelled])
        let other = try await context.job(receiver.url)
        _ = try await context.queue.cancel(kept)
        _ = try await context.runNextJob()
        _ = try await context.deliverer().deliverDue()
        #expect(receiver.events.map(\.1).sorted() == ["cancelled", "completed"])
        #expect(Set(receiver.events.map(\.0)) == [kept.lowercasedString, other.lowercasedString])
    }

    /// At most `maxResponseBytes` of the answer is read; a long 200 page is still a delivery.
    @Test func aLongAnswerIsReadOnlyInPartAndStillCounts() async throws {
        let context = try await WebhookTestContext()
        defer { context.shutdown() }
        let receiver = try WebhookReceiver([.respond(status: 200, body: [UInt8](repeating: 60, count: 1 << 20))])
        defer { receiver.stop() }
        _ = try await context.job(receiver.url)
        _ = try await context.runNextJob()
        let steps = try await context.deliverer().deliverDue()
        #expect(steps.count == 1)
        guard case .attempted(_, .delivered)? = steps.first else {
            Issue.record("expected a delivery, got \(steps)")
            return
        }
    }
}
