import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import Worker

/// The reply to a worker's claim is lost after Redis ran it (the connection dropped).
@Suite struct WorkerLostClaimReplyTests {
    /// The worker asks again with the same lease tokens and gets the job back: it runs at once,
    /// with the lease Redis holds, instead of waiting out the 60 s lease to be recovered.
    @Test func aJobWhoseClaimReplyWasLostRunsWithoutWaitingOutItsLease() async throws {
        let server = try await SharedRedis.server()
        let proxy = try RedisReplyDroppingProxy(upstreamPort: server.port)
        defer { proxy.stop() }
        var configuration = server.configuration
        configuration.port = proxy.port
        let workerRedis = RedisClient(configuration: configuration)
        defer { workerRedis.shutdown() }
        let harness = try await WorkerHarness(server: server, lease: .seconds(60)) { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
        }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(2)
        proxy.dropReplyToNext(containing: "Preparing image")
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 2, redis: workerRedis)]) {
            try await harness.waitUntilFinished(ids, within: .seconds(40))
        }
        #expect(proxy.droppedReplies == 1, "the first claim's reply was lost after Redis ran it")
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(jobs.allSatisfy { $0.attempts == 1 && $0.recoveries == 0 }, "no job waited out its lease")
        #expect(harness.endpoint.requestCount == 2)
    }
}
