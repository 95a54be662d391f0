import CostTracker
import DecomposerCore
import Foundation
import Testing
import TestSupport
import Worker

/// Redis stopped and started again (AOF kept) while workers run jobs.
@Suite struct WorkerRedisOutageTests {
    /// The GPU call ends while Redis is down: the worker waits for Redis, then bills the call and
    /// completes the job — it neither throws the finished call away nor leaves the job to wait
    /// out its lease and run a second time. Its idle slots, whose wait broke, claim again.
    @Test func aJobWhoseCallEndsWhileRedisIsDownCompletesOnceRedisIsBack() async throws {
        let server = try await RedisServer.start(appendOnly: true)
        defer { server.stop() }
        let harness = try await WorkerHarness(server: server) { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request), delay: .milliseconds(500))
        }
        defer { harness.shutdown() }
        let id = try #require(try await harness.enqueue(1).first)
        let (job, later) = try await harness.withWorkers([try harness.makeWorker()]) {
            try await harness.waitFor { harness.endpoint.requestCount == 1 }
            server.stop()
            try await Task.sleep(for: .seconds(2))
            try await server.restart()
            // Well within the 30 s lease: the job must not need recovering. The test's own client
            // may still be backing off from the outage for a moment.
            try await harness.waitFor({ (try? await harness.queue.job(id))?.status.isFinished == true }, within: .seconds(15))
            let later = try await harness.enqueue(1)
            return (try #require(try await harness.queue.job(id)), try await harness.waitUntilFinished(later)[0])
        }
        #expect(job.status == .completed)
        #expect(job.attempts == 1 && job.recoveries == 0)
        #expect(later.status == .completed, "the worker claims again after the outage")
        #expect(harness.endpoint.requestCount == 2, "the call made before the outage was used, not made again")
        let cost = try #require(try await harness.costs.days(last: 1).first)
        #expect(cost.requests == 2, "the call that ended while Redis was down is billed")
        let events = try await harness.queue.events(of: id, after: 0)
        #expect(events.filter { $0.status == .completed }.count == 1)
    }
}
