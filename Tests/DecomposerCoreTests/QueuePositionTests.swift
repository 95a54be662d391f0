import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

/// Queue positions from the `order` mirror of the wait list, and their ETA.
@Suite struct QueuePositionTests {
    static func positions(_ queue: JobQueue, _ ids: [UUID]) async throws -> [Int?] {
        let places = try await queue.places(of: ids)
        return ids.map { id in
            if case .waiting(let position, _) = places[id] { return position }
            return nil
        }
    }

    /// One call of `milliseconds` billed, as a worker records it (this feeds the average).
    static func recordCall(_ queue: JobQueue, milliseconds: Int64) async throws {
        _ = try await queue.recordAttempt(
            AttemptRecord(jobID: nil, attempt: nil, microdollars: 1, gpuMilliseconds: milliseconds, succeeded: true,
                          day: "2026-12-06"),
            retention: .seconds(86_400), budget: nil)
    }

    @Test func tenJobsBehindABusyWorkerCountDownOneByOneThenProcess() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue()
        _ = try #require(try await context.claim(), "the busy worker's job")
        let ids = try await context.enqueue(10)
        var seen = try await Self.positions(context.queue, ids)
        #expect(seen == Array(1...10).map { Optional($0) })
        for claimed in 0..<10 {
            let lease = try #require(try await context.claim())
            #expect(lease.job.id == ids[claimed], "claimed in position order")
            let now = try await Self.positions(context.queue, ids)
            #expect(now[claimed] == nil, "a claimed job has no position")
            #expect(try await context.queue.places(of: [ids[claimed]])[ids[claimed]] == .notWaiting)
            for behind in (claimed + 1)..<10 {
                let before = try #require(seen[behind]), after = try #require(now[behind])
                #expect(after == before - 1, "positions only count down, one per claim")
            }
            seen = now
        }
    }

    @Test func aCancelledJobInTheMiddleShiftsTheJobsBehindIt() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(5)
        _ = try await context.queue.cancel(ids[2])
        #expect(try await Self.positions(context.queue, ids) == [1, 2, nil, 3, 4])
        #expect(try await context.claim()?.job.id == ids[0])
        #expect(try await Self.positions(context.queue, ids) == [nil, 1, nil, 2, 3])
    }

    @Test func aReleasedOrRecoveredJobGoesToTheFrontWithPositionOne() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(4)
        let released = try #require(try await context.claim())
        try await context.queue.release(released)
        #expect(try await Self.positions(context.queue, ids) == [1, 2, 3, 4])
        _ = try #require(try await context.claim())
        let abandoned = try #require(try await context.claim())
        #expect(abandoned.job.id == ids[1])
        #expect(try await Self.positions(context.queue, ids) == [nil, nil, 1, 2])
        context.clock.advance(by: .seconds(31))
        #expect(try await context.queue.sweep().recovered == 2)
        let after = try await Self.positions(context.queue, ids)
        #expect(after[2] == 3 && after[3] == 4, "recovered jobs went ahead of the waiting ones")
        #expect(Set([after[0], after[1]]) == [1, 2])
        #expect(try await context.claim().map { [ids[0], ids[1]].contains($0.job.id) } == true)
    }

    @Test func aDelayedRetryAndAHeldQueueSaySoInsteadOfAPosition() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(2)
        let lease = try #require(try await context.claim())
        _ = try await context.queue.retry(
            lease, error: JobError(code: "gpu_unavailable", message: "503"), after: .seconds(10), message: "retrying")
        var places = try await context.queue.places(of: ids)
        #expect(places[ids[0]] == .retryBackoff)
        #expect(places[ids[0]]?.waitingReason == "retry_backoff")
        #expect(places[ids[1]] == .waiting(position: 1, etaSeconds: nil), "no slots advertised, no ETA")
        _ = try await QueueHoldTests.record(context.queue, microdollars: 1_000_000, end: Date().addingTimeInterval(3600))
        places = try await context.queue.places(of: ids)
        #expect(places[ids[1]] == .budgetHold)
        #expect(places[ids[1]]?.waitingReason == "budget_hold")
        #expect(places[ids[0]] == .retryBackoff)
    }

    /// A steady endpoint (every call `call` long) and one busy worker with one slot, on the test
    /// clock: each job's ETA, read mid-way through the busy call, is within a factor of two of
    /// the wait it then has until its claim.
    @Test func theETAWithASteadyEndpointIsWithinAFactorOfTwoOfTheRealWait() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(leaseDuration: .seconds(600), maxAttempts: 4))
        defer { context.shutdown() }
        let queue = context.queue
        let call: Int64 = 8_000
        let worker = UUID()
        #expect(try await queue.advertiseSlots(worker: worker, slots: 1, timeToLive: .seconds(600)) == 1)
        for _ in 0..<3 { try await Self.recordCall(queue, milliseconds: call) }
        _ = try await context.enqueue()
        _ = try #require(try await context.claim())
        let ids = try await context.enqueue(10)
        context.clock.advance(by: .milliseconds(call / 2))
        let start = context.clock.now
        let places = try await queue.places(of: ids)
        var waited: [UUID: Int64] = [:]
        context.clock.advance(by: .milliseconds(call / 2))
        for _ in ids {
            let lease = try #require(try await context.claim())
            waited[lease.job.id] = context.clock.now - start
            try await Self.recordCall(queue, milliseconds: call)
            context.clock.advance(by: .milliseconds(call))
        }
        for (index, id) in ids.enumerated() {
            guard case .waiting(let position, let eta?) = places[id] else {
                Issue.record("job \(index) has no ETA: \(String(describing: places[id]))")
                continue
            }
            #expect(position == index + 1)
            let real = Double(try #require(waited[id])) / 1000
            #expect(Double(eta) <= 2 * real && Double(eta) >= real / 2, "position \(position): ETA \(eta) s, waited \(real) s")
        }
        #expect(try await queue.advertiseSlots(worker: worker, slots: 1, timeToLive: .zero, withdraw: true) == 0)
    }

    @Test func theETAIsRoundsOfTheFleetsSlotsTimesTheAverageCall() {
        #expect(QueuePlace.eta(position: 1, slots: 4, averageCallMilliseconds: 10_000) == 10)
        #expect(QueuePlace.eta(position: 5, slots: 4, averageCallMilliseconds: 10_000) == 20)
        #expect(QueuePlace.eta(position: 3, slots: 0, averageCallMilliseconds: 10_000) == nil)
        #expect(QueuePlace.eta(position: 3, slots: 2, averageCallMilliseconds: nil) == nil)
    }
}
