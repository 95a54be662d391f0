import DecomposerCore
import Foundation
import Testing
import TestSupport
import Worker

@Suite struct OperatorPauseWorkerTests {
    /// `decomposer queue pause` stops every worker claiming (the claim script refuses, whichever
    /// worker asks), and `queue resume` wakes the idle workers, which then run every job.
    @Test func pauseStopsTwoWorkersClaimingAndResumeRestartsThem() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let message = "Maintenance: back at 09:00 UTC"
        try await harness.queue.pauseQueue(message: message)
        let workers = [try harness.makeWorker(concurrency: 2), try harness.makeWorker(concurrency: 2)]
        try await harness.withWorkers(workers) {
            let ids = try await harness.enqueue(4)
            // Both workers have been refused (their hold gauge says so) and claimed nothing.
            try await harness.waitFor {
                workers.allSatisfy {
                    String(decoding: $0.metrics.registry.emitToBuffer(), as: UTF8.self).contains("decomposer_worker_budget_exhausted 1")
                }
            }
            #expect(harness.endpoint.requestCount == 0, "nothing was sent to the GPU while paused")
            for id in ids {
                let job = try #require(try await harness.queue.job(id))
                #expect(job.status == .queued)
                #expect(job.message == message)
            }
            #expect(try await harness.queue.resumeQueue().wasPaused)
            let jobs = try await harness.waitUntilFinished(ids)
            #expect(jobs.allSatisfy { $0.status == .completed })
        }
        #expect(harness.endpoint.requestCount == 4)
    }
}
