import DecomposerCore
import Foundation
import Logging
import Redis
import Testing
import TestSupport

/// Guarantees 7–10: cancellation, idempotency, blocking waits, cluster-safe keys;
/// plus survival of a Redis restart.
@Suite struct QueueLifecycleTests {
    @Test func aQueuedJobIsCancelledAtOnceAndNeverClaimed() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        #expect(try await context.queue.cancel(id) == .cancelled(was: .queued))
        #expect(try await context.queue.job(id)?.status == .cancelled)
        #expect(try await context.placesHolding(id).isEmpty)
        #expect(try await context.claim() == nil)
        #expect(try await context.queue.cancel(id) == .alreadyFinished(.cancelled))
        #expect(try await context.queue.cancel(UUID()) == .notFound)
    }

    @Test func aRunningJobIsToldToStopAndItsWorkerCannotFinishIt() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        var feed = context.queue.eventFeed().makeAsyncIterator()
        guard case .resubscribed = await feed.next() else {
            Issue.record("the feed starts with a subscription")
            return
        }
        #expect(try await context.queue.cancel(lease.job.id) == .cancelled(was: .processing))
        // The worker learns promptly from the event feed…
        guard case .changed(let change) = await feed.next(), let job = change.job else {
            Issue.record("no event for the cancellation")
            return
        }
        #expect(job.id == lease.job.id && job.status == .cancelled)
        // …and from any write it still tries.
        await #expect(throws: QueueError.cancelled(lease.job.id)) { try await context.queue.renew(lease) }
        await #expect(throws: QueueError.cancelled(lease.job.id)) { try await context.queue.complete(lease, layers: []) }
        #expect(try await context.queue.cancel(lease.job.id) == .alreadyFinished(.cancelled))
    }

    @Test func theSameIdempotencyKeyReturnsTheSameJob() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let request = JobRequest(fileID: UUID(), numLayers: 4, resolution: 640)
        let first = try await context.queue.enqueue(request, idempotencyKey: "order-17")
        let again = try await context.queue.enqueue(request, idempotencyKey: "order-17")
        guard case .created(let id) = first else {
            Issue.record("first enqueue must create")
            return
        }
        #expect(again == .existing(id))
        #expect(try await context.queue.counts().waiting == 1)
        await #expect(throws: QueueError.idempotencyConflict(existing: id)) {
            _ = try await context.queue.enqueue(JobRequest(fileID: request.fileID, numLayers: 5), idempotencyKey: "order-17")
        }
    }

    @Test func enqueueIsRefusedWhenTheQueueIsFull() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(maxQueueDepth: 3))
        defer { context.shutdown() }
        _ = try await context.enqueue(3)
        await #expect(throws: QueueError.queueFull(depth: 3)) { _ = try await context.enqueue() }
    }

    @Test func anIdleWorkerBlocksOnRedisAndWakesOnEnqueue() async throws {
        // A server of its own: the command counts below must not include other suites' calls.
        let server = try await RedisServer.start()
        defer { server.stop() }
        let context = try await QueueTestContext(server: server)
        defer { context.shutdown() }
        let connection = context.redis.makeBlockingConnection()
        defer { connection.close() }
        let claimsBefore = try await scriptCalls(context.redis)
        let waiter = Task {
            try await context.queue.nextJob(waitingOn: connection, progress: 10, message: "Preparing image")
        }
        try await Task.sleep(for: .milliseconds(1500))
        let claimsWhileIdle = try await scriptCalls(context.redis) - claimsBefore
        // One claim found nothing, then the worker blocked: no polling.
        #expect(claimsWhileIdle <= 1, "an idle worker must block, not poll (\(claimsWhileIdle) script calls)")
        let id = try #require(try await context.enqueue().first)
        let lease = try await waiter.value
        #expect(lease.job.id == id)
    }

    /// A lost cancel holds the wait for the whole BLPOP (`longBlock`); a kept one ends it at once.
    /// The bound sits halfway between, with room for a loaded machine: a hang guard, not a speed target.
    private static let longBlock = Duration.seconds(120)
    private static let hangBound = Duration.seconds(60)

    @Test func cancellingAWaitingWorkerEndsTheWaitAtOnce() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let connection = context.redis.makeBlockingConnection(readTimeout: Self.longBlock * 2)
        defer { connection.close() }
        let waiter = Task {
            try await context.queue.nextJobs(
                waitingOn: connection, upTo: 1, progress: 10, message: "Preparing image", maxBlock: Self.longBlock)
        }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(ContinuousClock.now - started < Self.hangBound)
    }

    /// A cancel can land at any moment of the wait's start — before the command
    /// is taken, while the connection is made, once BLPOP is sent — and must end
    /// it at once every time (a lost one held the wait, and a worker's shutdown,
    /// for the whole BLPOP timeout).
    @Test func aCancelAtAnyMomentOfTheWaitsStartEndsItAtOnce() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        for attempt in 0..<40 {
            let connection = context.redis.makeBlockingConnection(readTimeout: Self.longBlock * 2)
            defer { connection.close() }
            let waiter = Task {
                try await context.queue.nextJobs(
                    waitingOn: connection, upTo: 1, progress: 10, message: "Preparing image", maxBlock: Self.longBlock)
            }
            try await Task.sleep(for: .microseconds(attempt * 100))
            let started = ContinuousClock.now
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(ContinuousClock.now - started < Self.hangBound, "cancelled after \(attempt * 100) µs")
        }
    }

    @Test func everyKeyTheQueueWritesSharesOneHashTag() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let context = try await QueueTestContext(server: server)
        defer { context.shutdown() }
        let ids = try await context.enqueue(3)
        _ = try await context.queue.enqueue(JobRequest(fileID: UUID()), idempotencyKey: "k")
        let a = try #require(try await context.claim())
        try await context.queue.complete(a, layers: [])
        let b = try #require(try await context.claim())
        _ = try await context.queue.retry(b, error: JobError(code: "x", message: "y"), after: .seconds(1), message: "m")
        let c = try #require(try await context.claim())
        try await context.queue.fail(c, error: JobError(code: "x", message: "y"))
        _ = try await context.queue.cancel(ids[2])

        let keys = try #require(try await context.redis.send("KEYS", "*").array).compactMap(\.string)
        #expect(keys.count >= 10)
        let tag = context.queue.keys.prefix
        #expect(tag.hasPrefix("{") && tag.hasSuffix("}"))
        for key in keys { #expect(key.hasPrefix(tag + ":"), "\(key) is outside the hash tag") }
    }

    @Test func aRedisRestartLosesNothingAndTheClientRecoversByItself() async throws {
        let server = try await RedisServer.start(appendOnly: true)
        defer { server.stop() }
        let context = try await QueueTestContext(server: server)
        defer { context.shutdown() }
        let ids = try await context.enqueue(50)
        var leases: [JobLease] = []
        for _ in 0..<10 { leases.append(try #require(try await context.claim())) }

        try await server.restart()

        var counts: QueueCounts?
        for _ in 0..<200 where counts == nil {
            counts = try? await context.queue.counts()
            if counts == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(counts?.waiting == 40)
        #expect(counts?.active == 10)
        // Scripts are gone from the restarted server; calls fall back to EVAL.
        try await context.queue.complete(leases[0], layers: [])
        var claimed: [UUID] = leases.map(\.job.id)
        while let lease = try await context.claim() { claimed.append(lease.job.id) }
        #expect(Set(claimed) == Set(ids))
    }

    @Test func warnsWhenRedisMayEvictJobKeys() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let client = server.makeClient()
        defer { client.shutdown() }
        #expect(await RedisEvictionCheck.warning(client) == nil)
        try await client.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        let warning = try #require(await RedisEvictionCheck.warning(client))
        #expect(warning.contains("allkeys-lru") && warning.contains("noeviction"))
    }

    @Test func maintenanceRecoversAnAbandonedJobWithoutAnyClaim() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        _ = try #require(try await context.claim())  // the worker then dies
        context.clock.advance(by: .seconds(31))
        let maintenance = QueueMaintenance(queue: context.queue, interval: .milliseconds(50), logger: .init(label: "test"))
        let sweeping = Task { await maintenance.run() }
        defer { sweeping.cancel() }
        var job = try await context.queue.job(id)
        let deadline = ContinuousClock.now + .seconds(20)
        while job?.status != .queued && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            job = try await context.queue.job(id)
        }
        #expect(job?.status == .queued)
        #expect(job?.recoveries == 1)
        #expect(try await context.placesHolding(id) == ["wait"])
    }

    private func scriptCalls(_ redis: RedisClient) async throws -> Int {
        let info = try await redis.send("INFO", "commandstats").string ?? ""
        return info.split(separator: "\r\n").filter { $0.hasPrefix("cmdstat_evalsha:") || $0.hasPrefix("cmdstat_eval:") }
            .compactMap { line in line.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) } }
            .reduce(0, +)
    }
}
