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
        let setup = try await Setup()
        defer { setup.shutdown() }
        let (proxy, harness) = (setup.proxy, setup.harness)
        let ids = try await harness.enqueue(2)
        proxy.dropReplyToNext(containing: "Preparing image")
        let jobs = try await harness.withWorkers([try harness.makeWorker(concurrency: 2, redis: setup.workerRedis)]) {
            try await harness.waitUntilFinished(ids, within: .seconds(40))
        }
        #expect(proxy.droppedReplies == 1, "the first claim's reply was lost after Redis ran it")
        #expect(jobs.allSatisfy { $0.status == .completed })
        #expect(jobs.allSatisfy { $0.attempts == 1 && $0.recoveries == 0 }, "no job waited out its lease")
        #expect(harness.endpoint.requestCount == 2)
    }

    /// A worker stopping in the second between the lost reply and its next claim hands the job back
    /// to the queue as it stops, instead of leaving it leased to a token nobody holds.
    @Test func aWorkerStoppingRightAfterALostClaimHandsTheJobBack() async throws {
        let setup = try await Setup()
        defer { setup.shutdown() }
        let (proxy, harness) = (setup.proxy, setup.harness)
        let id = try #require(try await harness.enqueue(1).first)
        proxy.dropReplyToNext(containing: "Preparing image")
        try await harness.withWorkers([try harness.makeWorker(concurrency: 1, redis: setup.workerRedis)]) {
            // The worker waits a second before claiming again; it is told to stop well before.
            try await harness.waitFor { proxy.droppedReplies == 1 }
        }
        let job = try #require(try await harness.queue.job(id))
        // Queued again at once (or, had the worker claimed again first, run to the end): never left
        // processing under a lease nobody holds.
        #expect(job.status == .queued || job.status == .completed, "\(job.status): \(job.message)")
        #expect(job.recoveries == 0)
        if job.status == .queued { #expect(job.message == "Worker stopping; job queued again") }
    }

    /// The shared Redis with a 60 s lease, and a worker client that reaches it through the proxy.
    struct Setup {
        let proxy: RedisReplyDroppingProxy
        let workerRedis: RedisClient
        let harness: WorkerHarness

        init() async throws {
            let server = try await SharedRedis.server()
            proxy = try RedisReplyDroppingProxy(upstreamPort: server.port)
            var configuration = server.configuration
            configuration.port = proxy.port
            workerRedis = RedisClient(configuration: configuration)
            harness = try await WorkerHarness(server: server, lease: .seconds(60)) { _, request in
                WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request))
            }
        }

        func shutdown() {
            harness.shutdown()
            workerRedis.shutdown()
            proxy.stop()
        }
    }
}
