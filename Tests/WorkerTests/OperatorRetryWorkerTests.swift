import DecomposerCore
import Foundation
import Storage
import Testing
import TestSupport

/// A job an operator retried (`decomposer jobs retry`) gets a fresh allowance in the worker too:
/// its retries count from the operator's retry, its attempt numbers keep counting up, and every
/// call is billed once.
@Suite struct OperatorRetryWorkerTests {
    @Test func aDeadJobRetriedByAnOperatorRunsAgainWithAFreshAllowanceAndCompletes() async throws {
        // Three 503s: both attempts of the first allowance and the first of the second; then layers.
        let harness = try await WorkerHarness(maxAttempts: 2) { number, request in
            number <= 3
                ? .json(503, #"{"error":{"code":503,"message":"The model is loading","status":"UNAVAILABLE"}}"#)
                : WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let worker = try harness.makeWorker()
        try await harness.withWorkers([worker]) {
            let dead = try await harness.waitUntilFinished([id])[0]
            #expect(dead.status == .failed)
            #expect(dead.attempts == 2)
            let retrier = JobRetrier(
                queue: harness.queue, storage: FilesystemStorage(uploadsDirectory: harness.uploads.directory, resultsDirectory: harness.results))
            #expect(try await retrier.retry([id], reason: "endpoint redeployed") == [JobRetryResult(id: id, outcome: .queued(attempts: 2))])
            try await harness.waitFor { try await harness.queue.job(id)?.status == .completed }
        }
        let job = try #require(try await harness.queue.job(id))
        #expect(job.attempts == 4)
        #expect(job.layersAttempt == 4)
        #expect(harness.endpoint.requestCount == 4)
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 4 && cost.failedRequests == 3, "each of the four calls billed once")
    }
}
