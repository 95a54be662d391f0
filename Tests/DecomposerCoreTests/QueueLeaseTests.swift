import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import SystemSupport

/// Guarantees 1–4: atomic claim with a lease, renewal, crash recovery, fencing.
@Suite struct QueueLeaseTests {
    @Test func claimMovesAJobAtomicallyFromWaitingToActiveWithALease() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        #expect(try await context.placesHolding(id) == ["wait"])

        let lease = try #require(try await context.claim())
        #expect(lease.job.id == id)
        #expect(lease.job.status == .processing)
        #expect(lease.job.progress == 10)
        #expect(lease.job.message == "Preparing image")
        #expect(try await context.placesHolding(id) == ["active"])
        let deadline = try await context.redis.send("ZSCORE", context.queue.keys.active, id.lowercasedString)
        #expect(deadline.int == context.clock.now + 30_000)
        #expect(try await context.claim() == nil, "one job is given to one claimer")
    }

    @Test func renewedLeaseOutlivesItsFirstDeadline() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        for _ in 0..<10 {  // a GPU call of several minutes, renewed every 10 s
            context.clock.advance(by: .seconds(10))
            try await context.queue.renew(lease)
            #expect(try await context.queue.sweep().recovered == 0)
        }
        #expect(try await context.queue.job(lease.job.id)?.status == .processing)
        #expect(try await context.queue.job(lease.job.id)?.recoveries == 0)
    }

    @Test func anExpiredLeaseIsRecoveredAndDeliveredAgain() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let crashed = try #require(try await context.claim())  // this worker is then killed -9

        context.clock.advance(by: .seconds(29))
        #expect(try await context.claim() == nil, "not recovered before the lease expires")
        context.clock.advance(by: .seconds(2))
        let second = try #require(try await context.claim(), "redelivered by the next claim after expiry")
        #expect(second.job.id == id)
        #expect(second.job.recoveries == 1)
        #expect(second.token != crashed.token)
    }

    @Test func concurrentSweepersRecoverAJobOnce() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(20)
        for _ in ids { _ = try #require(try await context.claim()) }
        context.clock.advance(by: .seconds(31))
        let recovered = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await context.queue.sweep().recovered } }
            return try await group.reduce(0, +)
        }
        #expect(recovered == 20)
        let counts = try await context.queue.counts()
        #expect(counts.waiting == 20 && counts.active == 0)
        for id in ids { #expect(try await context.queue.job(id)?.recoveries == 1) }
    }

    @Test func aWorkerThatLostItsLeaseCannotWriteTheJob() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let stale = try #require(try await context.claim())
        context.clock.advance(by: .seconds(31))
        let current = try #require(try await context.claim())
        let id = stale.job.id

        await #expect(throws: QueueError.leaseLost(id)) {
            try await context.queue.complete(stale, layers: [])
        }
        await #expect(throws: QueueError.leaseLost(id)) {
            try await context.queue.reportProgress(stale, progress: 90, message: "late")
        }
        await #expect(throws: QueueError.leaseLost(id)) {
            try await context.queue.fail(stale, error: JobError(code: "x", message: "late"))
        }
        await #expect(throws: QueueError.leaseLost(id)) {
            _ = try await context.queue.retry(stale, error: JobError(code: "x", message: "late"), after: .seconds(1), message: "m")
        }
        await #expect(throws: QueueError.leaseLost(id)) { try await context.queue.renew(stale) }
        await #expect(throws: QueueError.leaseLost(id)) { try await context.queue.release(stale) }

        let job = try #require(try await context.queue.job(id))
        #expect(job.status == .processing && job.progress == 10, "the stale writes changed nothing")
        try await context.queue.complete(current, layers: [])
        #expect(try await context.queue.job(id)?.status == .completed)
    }

    @Test func thousandConcurrentClaimsOverTwoHundredJobsGiveEachJobToOneClaimer() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = Set(try await context.enqueue(200))
        let claimed = try await withThrowingTaskGroup(of: UUID?.self) { group in
            for _ in 0..<1_000 { group.addTask { try await context.claim()?.job.id } }
            return try await group.reduce(into: [UUID]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed) == ids)
    }

    @Test func progressNeverGoesBackwardsWithinAnAttemptAndCountsCalls() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        #expect(try await context.queue.startCall(lease) == .started)
        try await context.queue.reportProgress(lease, progress: 20, message: "Running on GPU (12 s)")
        let job = try #require(try await context.queue.job(lease.job.id))
        #expect(job.progress == 30)
        #expect(job.message == "Running on GPU (12 s)")
        #expect(job.attempts == 1)
    }

    @Test func aCallCountingWriteSentAgainCountsTheCallOnce() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        // The first write's reply was lost (Redis restarting), so the worker sends it again.
        #expect(try await context.queue.startCall(lease) == .started)
        #expect(try await context.queue.startCall(lease) == .started)
        #expect(try await context.queue.job(lease.job.id)?.attempts == 1)
        try await context.queue.release(lease)
        let next = try #require(try await context.claim())
        #expect(try await context.queue.startCall(next) == .started)
        #expect(try await context.queue.job(next.job.id)?.attempts == 2, "the next claim's call is the next attempt")
    }

    @Test func aCallIsNotStartedWhileTheFleetIsPausedAndItsEndIsTheQueuesClock() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        let claimed = try #require(try await context.queue.job(lease.job.id))
        try await context.queue.pauseFleet(for: .seconds(20))
        context.clock.advance(by: .seconds(5))
        #expect(try await context.queue.startCall(lease) == .paused(remaining: .seconds(15)))
        #expect(try await context.queue.job(lease.job.id) == claimed, "nothing is written while the pause lasts")
        // Other progress still goes through: only the call waits.
        try await context.queue.reportProgress(lease, progress: 20, message: "Preparing image (still)")
        context.clock.advance(by: .seconds(15))
        #expect(try await context.queue.startCall(lease) == .started)
        let started = try #require(try await context.queue.job(lease.job.id))
        #expect(started.attempts == 1 && started.progress == 30 && started.message == "Running on GPU")
    }

    @Test func aCancelledJobIsToldSoEvenWhileTheFleetIsPaused() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let lease = try #require(try await context.claim())
        try await context.queue.pauseFleet(for: .seconds(20))
        _ = try await context.queue.cancel(id)
        await #expect(throws: QueueError.cancelled(id)) { try await context.queue.startCall(lease) }
    }

    @Test func releaseHandsTheJobToTheNextClaimerAtOnce() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(2)
        let first = try #require(try await context.claim())
        #expect(first.job.id == ids[0])
        try await context.queue.release(first)
        let next = try #require(try await context.claim(), "no wait for the lease to expire")
        #expect(next.job.id == ids[0], "a handed-back job goes to the front of the queue")
        #expect(next.job.recoveries == 0)
    }

    @Test func oneClaimTakesSeveralJobsInQueueOrderEachWithItsOwnLease() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(5)
        let connection = context.redis.makeBlockingConnection()
        defer { connection.close() }

        let claimed = try await context.queue.nextJobs(waitingOn: connection, upTo: 3, progress: 10, message: "Preparing image")
        let first = claimed.leases
        #expect(first.map(\.job.id) == Array(ids[0..<3]))
        #expect(claimed.waiting == 2, "the claim's reply counts the jobs still waiting")
        #expect(Set(first.map(\.token)).count == 3, "a lease token per job")
        for lease in first {
            #expect(lease.job.status == .processing)
            #expect(try await context.placesHolding(lease.job.id) == ["active"])
            try await context.queue.renew(lease)
        }
        let stored = try await context.redis.send("HGET", context.queue.keys.job(first[1].job.id), "lease_token")
        #expect(stored.string == first[1].token)

        let rest = try await context.queue.nextJobs(waitingOn: connection, upTo: 10, progress: 10, message: "Preparing image")
        #expect(rest.leases.map(\.job.id) == Array(ids[3...]), "as many as are waiting")
        #expect(rest.waiting == 0)
        #expect(try await context.claim() == nil)
    }

    @Test func aClaimAheadLeavesJobsForIdleWorkers() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(3)
        let ahead = try await context.queue.claim(progress: 10, message: "Preparing image", leavingWaiting: 2)
        guard case .claimed(let lease) = ahead else { Issue.record("three waiting, two left: \(ahead)"); return }
        #expect(lease.job.id == ids[0])
        let refused = try await context.queue.claim(progress: 10, message: "Preparing image", leavingWaiting: 2)
        guard case .empty = refused else { Issue.record("two waiting, two to leave: \(refused)"); return }
        #expect(try await context.redis.send("LLEN", context.queue.keys.marker).int ?? 0 > 0,
                "an idle worker's wait is still woken for the jobs left")
        #expect(try await context.claim()?.job.id == ids[1], "an ordinary claim takes them")
    }

    /// The worker's claim ahead: the job taken and how many still wait, so the next one is sent
    /// only when it can take something.
    @Test func aClaimAheadSaysHowManyJobsStillWait() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(4)
        let ahead = try #require(try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 2))
        #expect(ahead.leases.map(\.job.id) == [ids[0]])
        #expect(ahead.waiting == 3)
        let again = try #require(try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 2))
        #expect(again.leases.map(\.job.id) == [ids[1]])
        #expect(again.waiting == 2, "two left: a further claim ahead would find nothing")
        #expect(try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 2) == nil)
    }
}
