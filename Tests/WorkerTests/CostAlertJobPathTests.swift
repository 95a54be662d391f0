import CostAlerts
import CostTracker
import DecomposerCore
import Foundation
import Logging
import ServiceLifecycle
import Testing
import TestSupport
import SystemSupport
import Worker

@Suite struct CostAlertJobPathTests {
    /// The job path never waits on the alert receiver: while the receiver hangs on the first
    /// alert's POST, a job whose call crosses the next threshold completes, and its alert waits
    /// in the outbox.
    @Test func aJobCompletesWhileTheAlertReceiverHangs() async throws {
        let harness = try await WorkerHarness { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request), delay: .milliseconds(20))
        }
        defer { harness.shutdown() }
        let receiver = try TestHTTPServer { _ in .hang }
        defer { receiver.stop() }
        // 1 µ$ per GPU millisecond against $1: 0.5 fires at 500,000 µ$, 0.8 at 800,000.
        let costs = CostTracker(queue: harness.queue, rate: GPURate(usdPerHour: 3.6), dailyBudgetUSD: 1, alertThresholds: [0.5, 0.8])
        let deliverer = CostAlertDeliverer(
            queue: harness.queue, http: harness.http, url: URL(string: receiver.baseURL + "/alerts")!, format: .json,
            policy: CostAlertPolicy(timeout: .seconds(600), lease: .seconds(900), pollInterval: .milliseconds(20)),
            logger: Logger(label: "cost-alerts-test"))
        let worker = try harness.makeWorker(concurrency: 1, costs: costs)
        let group = ServiceGroup(configuration: .init(
            services: [OutboxDeliveryService(deliverer: deliverer, name: "Cost alerts", logger: Logger(label: "cost-alerts-test")), worker],
            logger: Logger(label: "group")))
        let running = Task { try await group.run() }

        try await costs.recordAttempt(jobID: nil, duration: .seconds(500), succeeded: true)
        try await harness.waitFor { receiver.requestCount == 1 }
        // 1 µ$ short of 0.8: the job's call (at least 20 ms) crosses it.
        try await costs.recordAttempt(jobID: nil, duration: .milliseconds(299_999), succeeded: true)
        let ids = try await harness.enqueue(1)
        let jobs = try await harness.waitUntilFinished(ids)
        #expect(jobs.first?.status == .completed)
        #expect(receiver.requestCount == 1 && receiver.abandonedRequests == 0, "the first alert's POST still hangs")
        let pending = try await harness.queue.pendingCostAlerts()
        #expect(pending.map(\.threshold) == ["0.5", "0.8"])
        #expect(pending.last?.topJobs.first?.jobID == ids.first?.lowercasedString, "decided by the job's own cost record")

        receiver.stop()
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
