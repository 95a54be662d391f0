import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import SystemSupport

/// `JobQueue.listJobs`: per status, newest first, bounded by the limit, expired entries skipped.
@Suite struct QueueListingTests {
    let layer = LayerResult(index: 0, filename: "layer_0.png", url: "/x", sizeKB: 1, width: 1, height: 1)

    @Test func listsEachStatusNewestFirstWithinTheLimit() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        // Three completed, one failed, one cancelled, one processing, two queued; a second apart each.
        var completed: [UUID] = []
        for _ in 0..<3 {
            _ = try await context.enqueue()
            let lease = try #require(try await context.claim())
            try await queue.complete(lease, layers: [layer])
            completed.append(lease.job.id)
            context.clock.advance(by: .seconds(1))
        }
        _ = try await context.enqueue()
        let failing = try #require(try await context.claim())
        try await queue.fail(failing, error: JobError(code: "invalid_image", message: "not an image"))
        context.clock.advance(by: .seconds(1))
        let cancelled = try #require(try await context.enqueue().first)
        _ = try await queue.cancel(cancelled)
        context.clock.advance(by: .seconds(1))
        _ = try await context.enqueue()
        let running = try #require(try await context.claim())
        context.clock.advance(by: .seconds(1))
        let queued = try await context.enqueue(2)

        #expect(try await queue.listJobs(.completed, limit: 10).map(\.id) == Array(completed.reversed()))
        #expect(try await queue.listJobs(.completed, limit: 2).map(\.id) == [completed[2], completed[1]])
        let failed = try await queue.listJobs(.failed, limit: 10)
        #expect(failed.map(\.id) == [failing.job.id])
        #expect(failed.first?.errorCode == "invalid_image")
        #expect(failed.first?.inDeadLetters == true)
        #expect(try await queue.listJobs(.dead, limit: 10).map(\.id) == [failing.job.id])
        #expect(try await queue.listJobs(.cancelled, limit: 10).map(\.id) == [cancelled])
        #expect(try await queue.listJobs(.processing, limit: 10).map(\.id) == [running.job.id])
        #expect(try await queue.listJobs(.queued, limit: 10).map(\.id) == Array(queued.reversed()))
        #expect(try await queue.listJobs(.queued, limit: 1).map(\.id) == [queued[1]])
        #expect(try await queue.listJobs(.queued, limit: 0).isEmpty)
        let all = try await queue.listJobs(nil, limit: 4)
        #expect(all.map(\.id) == [queued[1], queued[0], running.job.id, cancelled])
        #expect(all.map(\.status) == [.queued, .queued, .processing, .cancelled])
    }

    @Test func skipsAndDropsEntriesWhoseJobExpired() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        var ids: [UUID] = []
        for _ in 0..<2 {
            _ = try await context.enqueue()
            let lease = try #require(try await context.claim())
            try await context.queue.complete(lease, layers: [layer])
            ids.append(lease.job.id)
            context.clock.advance(by: .seconds(1))
        }
        try await context.redis.send("DEL", context.queue.keys.job(ids[1]))
        #expect(try await context.queue.listJobs(.completed, limit: 10).map(\.id) == [ids[0]])
        #expect(try await context.redis.send("ZCARD", context.queue.keys.completed).int == 1)
    }
}
