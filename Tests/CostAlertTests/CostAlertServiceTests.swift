import CostAlerts
import CostTracker
import DecomposerCore
import Foundation
import Logging
import ServiceLifecycle
import Testing
import TestSupport

/// The delivery service as a process runs it: cost records only append to the outbox, so a
/// receiver that hangs holds up no cost record (and so no job).
@Suite struct CostAlertServiceTests {
    @Test func aHangingReceiverNeverHoldsUpACostRecord() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let tracker = context.tracker(thresholds: [0.5, 0.8])
        let receiver = try AlertReceiver([.hang])
        var policy = AlertTestContext.policy
        policy.timeout = .seconds(600)
        policy.lease = .seconds(900)
        let service = OutboxDeliveryService(deliverer: context.deliverer(receiver.url, policy: policy), name: "Cost alerts", logger: context.log.logger)
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "group")))
        let running = Task { try await group.run() }

        #expect(try await tracker.recordAttempt(jobID: nil, duration: .seconds(500), succeeded: true).alertsQueued == 1)
        try await Self.waitFor { receiver.requests.count == 1 }
        // The first alert's POST hangs; the record that crosses the next threshold returns anyway.
        let next = try await tracker.recordAttempt(jobID: nil, duration: .seconds(300), succeeded: true)
        #expect(next.billed && next.alertsQueued == 1)
        #expect(receiver.requests.count == 1 && receiver.server.abandonedRequests == 0, "the first POST is still hanging")
        let pending = try await context.queue.pendingCostAlerts()
        #expect(pending.map(\.threshold) == ["0.5", "0.8"])
        #expect(pending.first?.claimToken != nil && pending.last?.claimToken == nil)

        receiver.server.stop()
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Bounded wait for something another thread does (no timing asserted).
    static func waitFor(_ condition: () async throws -> Bool, within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            if ContinuousClock.now > deadline { throw TestSupportError("condition not met in time") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
