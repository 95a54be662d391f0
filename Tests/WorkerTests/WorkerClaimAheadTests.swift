import DecomposerCore
import Foundation
import Logging
import ServiceLifecycle
import Testing
import TestSupport
import Worker

/// A job claimed ahead of a free call slot prepares its image, then waits: it
/// never adds a call, and on shutdown it goes back to the queue at once.
@Suite struct WorkerClaimAheadTests {
    @Test func aJobClaimedAheadWaitsForACallSlotAndIsHandedBackAtOnceOnShutdown() async throws {
        let harness = try await WorkerHarness { _, _ in .hang }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(3)
        let worker = try harness.makeWorker(concurrency: 1, grace: .seconds(5), timeout: .seconds(120))
        let group = ServiceGroup(configuration: .init(services: [worker], logger: Logger(label: "group")))
        let running = Task { try await group.run() }
        defer { running.cancel() }

        // The first job calls; with two more waiting, the second is claimed ahead and prepared.
        try await harness.waitFor { harness.endpoint.requestCount == 1 }
        try await harness.waitFor { try await harness.queue.job(ids[1])?.status == .processing }
        #expect(try await harness.queue.job(ids[1])?.progress == 10, "prepared, not calling")
        #expect(try await harness.queue.job(ids[2])?.status == .queued, "one ahead at most")
        #expect(harness.endpoint.requestCount == 1)

        await group.triggerGracefulShutdown()
        try await harness.waitFor({ try await harness.queue.job(ids[1])?.status == .queued }, within: .seconds(4))
        #expect(try await harness.queue.job(ids[0])?.status == .processing, "the calling job still has its grace")
        #expect(try await harness.queue.job(ids[1])?.recoveries == 0, "handed back, not left to expire")
        try await running.value
        #expect(try await harness.queue.job(ids[0])?.status == .queued)
        #expect(harness.endpoint.maxConcurrentRequests == 1)
    }
}
