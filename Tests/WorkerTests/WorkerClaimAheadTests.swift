import DecomposerCore
import Foundation
import Logging
import Synchronization
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

/// The call slot frees when the endpoint starts its answer, not when the last byte of the layers is in.
@Suite struct WorkerCallSlotTests {
    @Test func theNextCallGoesOutWhileTheLastAnswersLayersAreStillArriving() async throws {
        let secondCall = DispatchSemaphore(value: 0)
        let heldUntilTheSecondCall = Mutex<Bool?>(nil)
        let harness = try await WorkerHarness { number, request in
            let answer = WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
            guard number == 1, case .respond(let status, let headers, let body, _) = answer else {
                secondCall.signal()
                return answer
            }
            // The first answer's head goes out; its body waits (at most 10 s) for the next call.
            return .headThenBody(status: status, headers: headers, body: body) {
                let arrived = secondCall.wait(timeout: .now() + 10) == .success
                heldUntilTheSecondCall.withLock { $0 = arrived }
            }
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(2)
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 1)]) {
            try await harness.waitUntilFinished(ids)
        }
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(heldUntilTheSecondCall.withLock { $0 } == true, "the second call went out during the first answer's body")
        #expect(harness.endpoint.maxConcurrentRequests == 1, "one call at a time")
    }
}
