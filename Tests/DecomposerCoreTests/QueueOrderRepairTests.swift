import DecomposerCore
import Foundation
import Redis
import SystemSupport
import Testing
import TestSupport

/// The `order` mirror rebuilt from the wait list after an upgrade from a release without it.
@Suite struct QueueOrderRepairTests {
    /// Jobs as the previous release queued them: a queued job's hash, and its id put in `wait` by a
    /// plain `LPUSH`, with no score in `order`.
    static func enqueueWithoutMirror(_ context: QueueTestContext, _ count: Int) async throws -> [UUID] {
        let keys = context.queue.keys
        var ids: [UUID] = []
        for _ in 0..<count {
            let id = try #require(try await context.enqueue().first)
            let member = id.lowercasedString
            _ = try await context.redis.pipeline([
                ["LREM", keys.wait, "0", member], ["ZREM", keys.order, member], ["LPUSH", keys.wait, member],
            ])
            ids.append(id)
        }
        return ids
    }

    @Test func aWaitListFilledWithoutTheMirrorGetsPositionsOneToNInClaimOrder() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let old = try await Self.enqueueWithoutMirror(context, 5)
        #expect(try await QueuePositionTests.positions(context.queue, old) == [nil, nil, nil, nil, nil])
        #expect(try await context.queue.repairOrder() == .rebuilt(mirroredBefore: 0, waiting: 5))
        #expect(try await QueuePositionTests.positions(context.queue, old) == [1, 2, 3, 4, 5])
        let scores = try await context.redis.send(["ZRANGE", context.queue.keys.order, "0", "-1", "WITHSCORES"])
        #expect(scores.array?.compactMap(\.string) == zip(old, 1...5).flatMap { [$0.lowercasedString, "\($1)"] })
        // Jobs queued after the repair go behind; the repaired ones are claimed in their order.
        let new = try await context.enqueue(2)
        #expect(try await QueuePositionTests.positions(context.queue, old + new) == Array(1...7).map { Optional($0) })
        #expect(try await context.claim()?.job.id == old[0])
        #expect(try await QueuePositionTests.positions(context.queue, old + new) == [nil] + Array(1...6).map { Optional($0) })
        #expect(try await context.queue.repairOrder() == .consistent)
    }

    /// An old API replica still enqueueing beside new ones (a rolling upgrade): some jobs have
    /// a score, some not; the rebuild follows the list, not the scores.
    @Test func aMixOfScoredAndUnscoredJobsIsRebuiltInListOrder() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let first = try await context.enqueue(2)
        let old = try await Self.enqueueWithoutMirror(context, 2)
        let last = try await context.enqueue(1)
        let ids = first + old + last
        #expect(try await context.queue.repairOrder() == .rebuilt(mirroredBefore: 3, waiting: 5))
        #expect(try await QueuePositionTests.positions(context.queue, ids) == [1, 2, 3, 4, 5])
    }

    @Test func aConsistentQueueIsLeftUntouched() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let ids = try await context.enqueue(4)
        let lease = try #require(try await context.claim())
        try await context.queue.release(lease)  // a front push: a score below the others
        let order = ["ZRANGE", context.queue.keys.order, "0", "-1", "WITHSCORES"]
        let before = try await context.redis.send(order)
        #expect(try await context.queue.repairOrder() == .consistent)
        #expect(try await context.redis.send(order) == before)
        #expect(try await QueuePositionTests.positions(context.queue, ids) == [1, 2, 3, 4])
        let empty = try await QueueTestContext()
        defer { empty.shutdown() }
        #expect(try await empty.queue.repairOrder() == .consistent)
        #expect(try await empty.redis.send(["EXISTS", empty.queue.keys.order]).int == 0, "nothing written")
    }

    @Test func workersMaintenanceRepairsTheMirrorWithoutAnyOtherCall() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let old = try await Self.enqueueWithoutMirror(context, 3)
        let maintenance = QueueMaintenance(queue: context.queue, interval: .milliseconds(50), logger: .init(label: "test"))
        let sweeping = Task { await maintenance.run() }
        defer { sweeping.cancel() }
        var positions = try await QueuePositionTests.positions(context.queue, old)
        let deadline = ContinuousClock.now + .seconds(20)
        while positions != [1, 2, 3] && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            positions = try await QueuePositionTests.positions(context.queue, old)
        }
        #expect(positions == [1, 2, 3])
    }
}
