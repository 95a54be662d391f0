import DecomposerCore
import Foundation
import Redis
import Storage
import Testing
import TestSupport
import SystemSupport

/// `retry-failed.lua` and `JobRetrier`: a dead job back to the queue with a fresh allowance, its
/// attempt numbers still counting up; the dead-letter selection; the purge.
@Suite struct QueueOperatorRetryTests {
    let rateLimited = JobError(code: "gpu_rate_limited", message: "Quota exceeded")
    let invalid = JobError(code: "invalid_image", message: "not an image")

    /// Runs the job through `attempts` calls that all fail retryably, so it ends in the dead-letter set.
    private func exhaust(_ context: QueueTestContext, attempts: Int) async throws -> UUID {
        var id: UUID?
        for _ in 0..<attempts {
            let lease = try #require(try await context.claim())
            id = lease.job.id
            #expect(try await context.queue.startCall(lease) == .started)
            _ = try await context.queue.retry(lease, error: rateLimited, after: .zero, message: "retrying")
        }
        return try #require(id)
    }

    private func failOnce(_ context: QueueTestContext, _ error: JobError) async throws -> UUID {
        _ = try await context.enqueue()
        let lease = try #require(try await context.claim())
        try await context.queue.fail(lease, error: error)
        // Dead letters failed at one instant would sort by id.
        context.clock.advance(by: .seconds(1))
        return lease.job.id
    }

    @Test func aDeadJobRetriedCompletesWithItsAttemptsCountingUp() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(maxAttempts: 2))
        defer { context.shutdown() }
        _ = try await context.enqueue()
        let id = try await exhaust(context, attempts: 2)
        let dead = try #require(try await context.queue.job(id))
        #expect(dead.status == .failed)
        #expect(dead.attempts == 2)
        #expect(try await context.queue.deadLetters(since: nil, errorCode: nil) == [id])

        #expect(try await context.queue.retryFailed(id, reason: "endpoint back") == .queued(attempts: 2))
        let queued = try #require(try await context.queue.job(id))
        #expect(queued.status == .queued)
        #expect(queued.error == nil)
        #expect(queued.maxAttempts == 4)
        #expect(queued.message == "Retried by an operator: endpoint back")
        #expect(try await context.queue.deadLetters(since: nil, errorCode: nil).isEmpty)
        #expect(try await context.placesHolding(id) == ["wait"])
        #expect(try await context.redis.send("PTTL", context.queue.keys.job(id)).int == -1)
        #expect(try await context.queue.events(of: id, after: 0).contains { $0.message == "Retried by an operator: endpoint back" })

        // A fresh allowance: one more failed call is retried, not the end; the numbers go on from 3.
        let third = try #require(try await context.claim())
        #expect(third.job.attempts == 2)
        #expect(try await context.queue.startCall(third) == .started)
        #expect(try await context.queue.retry(third, error: rateLimited, after: .zero, message: "retrying") == .scheduled)
        let fourth = try #require(try await context.claim())
        #expect(try await context.queue.startCall(fourth) == .started)
        let layer = LayerResult(index: 0, filename: "layer_0.png", url: "/x", sizeKB: 1, width: 1, height: 1)
        try await context.queue.complete(fourth, layers: [layer])
        let done = try #require(try await context.queue.job(id))
        #expect(done.status == .completed)
        #expect(done.attempts == 4)
        #expect(done.layersAttempt == 4)
        #expect(try await context.queue.listJobs(.completed, limit: 5).map(\.id) == [id])
    }

    @Test func onlyFailedJobsAreRetriedAndUnknownOnesSaySo() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queued = try #require(try await context.enqueue().first)
        #expect(try await context.queue.retryFailed(queued, reason: "x") == .notFailed(.queued))
        #expect(try await context.queue.retryFailed(UUID(), reason: "x") == .unknown)
        // A dead letter whose job expired is dropped when asked for.
        let failed = try await failOnce(context, invalid)
        try await context.redis.send("DEL", context.queue.keys.job(failed))
        #expect(try await context.queue.retryFailed(failed, reason: "x") == .unknown)
        #expect(try await context.redis.send("ZCARD", context.queue.keys.dead).int == 0)
    }

    @Test func theDeadLetterSelectionFiltersByCodeAndTime() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let old = try await failOnce(context, invalid)
        context.clock.advance(by: .seconds(3600))
        let cutoff = Date(millisecondsSince1970: context.clock.now)
        let recentInvalid = try await failOnce(context, invalid)
        let recentLimited = try await failOnce(context, rateLimited)
        #expect(try await context.queue.deadLetters(since: nil, errorCode: nil) == [old, recentInvalid, recentLimited])
        #expect(try await context.queue.deadLetters(since: nil, errorCode: "invalid_image") == [old, recentInvalid])
        #expect(try await context.queue.deadLetters(since: cutoff, errorCode: nil) == [recentInvalid, recentLimited])
        #expect(try await context.queue.deadLetters(since: cutoff, errorCode: "invalid_image") == [recentInvalid])
        #expect(try await context.queue.deadLetters(since: nil, errorCode: "abandoned").isEmpty)
    }

    @Test func theRetrierRefusesAJobWhoseUploadIsGoneAndRetriesMatchingDeadLetters() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retrier-\(UUID().lowercasedString)")
        let uploads = folder.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = FilesystemStorage(uploadsDirectory: uploads, resultsDirectory: folder.appendingPathComponent("results"))
        let retrier = JobRetrier(queue: context.queue, storage: storage)

        // Three failed jobs: two on uploads that exist, one whose upload was cleaned up.
        var ids: [UUID] = []
        for (error, keep) in [(invalid, true), (rateLimited, true), (invalid, false)] {
            let fileID = UUID()
            if keep { try Data([1]).write(to: uploads.appendingPathComponent("\(fileID.lowercasedString).png")) }
            _ = try await context.queue.enqueue(JobRequest(fileID: fileID))
            let lease = try #require(try await context.claim())
            try await context.queue.fail(lease, error: error)
            ids.append(lease.job.id)
            context.clock.advance(by: .seconds(1))
        }
        let missingFile = try #require(try await context.queue.job(ids[2])).fileID

        let matching = try await retrier.retryDead(since: nil, errorCode: "invalid_image", reason: "fixed decoder")
        #expect(matching == [
            JobRetryResult(id: ids[0], outcome: .queued(attempts: 0)),
            JobRetryResult(id: ids[2], outcome: .uploadMissing(fileID: missingFile)),
        ])
        #expect(try await context.queue.job(ids[1])?.status == .failed)
        #expect(try await context.queue.job(ids[2])?.status == .failed)
        #expect(try await context.queue.deadLetters(since: nil, errorCode: nil) == [ids[1], ids[2]])

        let unknown = UUID()
        let named = try await retrier.retry([ids[0], unknown, ids[1]], reason: "again")
        #expect(named.map(\.outcome) == [.notRetryable(.queued), .unknown, .queued(attempts: 0)])
    }

    @Test func purgeRemovesDeadLettersOlderThanTheCutoffWithTheirJobs() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let old = try await failOnce(context, invalid)
        context.clock.advance(by: .seconds(86_400))
        let recent = try await failOnce(context, invalid)
        let cutoff = Date(millisecondsSince1970: context.clock.now - 10_000)
        #expect(try await context.queue.purgeDead(olderThan: cutoff) == 1)
        #expect(try await context.queue.job(old) == nil)
        #expect(try await context.redis.send("EXISTS", context.queue.keys.events(old)).int == 0)
        #expect(try await context.queue.job(recent)?.status == .failed)
        #expect(try await context.queue.purgeDead(olderThan: nil) == 1)
        #expect(try await context.queue.job(recent) == nil)
        #expect(try await context.queue.counts().dead == 0)
        #expect(try await context.queue.purgeDead(olderThan: nil) == 0)
    }
}
