import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

@Suite struct QueueHoldTests {
    static let message = "Daily GPU budget of $1.00 reached; jobs resume at 00:00 UTC"

    /// A call of `microdollars` on `day`, against a $1.00 budget whose hold ends at `end`.
    static func record(
        _ queue: JobQueue, microdollars: Int64, day: String = "2026-12-06", end: Date, job: UUID? = nil, attempt: Int? = nil
    ) async throws -> AttemptBilling {
        try await queue.recordAttempt(
            AttemptRecord(jobID: job, attempt: attempt, microdollars: microdollars, gpuMilliseconds: 1000, succeeded: true, day: day),
            retention: .seconds(86_400),
            budget: BudgetHold(limitMicrodollars: 1_000_000, message: message, endsAt: end))
    }

    @Test func theRecordThatSpendsTheBudgetHoldsTheQueueOnceUntilItsEnd() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let first = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        let second = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        let end = Date().addingTimeInterval(3600)
        #expect(try await Self.record(queue, microdollars: 600_000, end: end).holdPlacedOnJobs == nil, "under the budget")
        #expect(try await queue.heldMessage() == nil)
        #expect(try await Self.record(queue, microdollars: 400_000, end: end).holdPlacedOnJobs == 2, "reaches it")
        #expect(try await Self.record(queue, microdollars: 10, end: end).holdPlacedOnJobs == nil, "placed once only")
        for id in [first, second] {
            let job = try #require(try await queue.job(id))
            #expect(job.status == .queued)
            #expect(job.message == Self.message)
            #expect(try await queue.events(of: id, after: 0).last?.message == Self.message, "watchers see why")
        }
        let during = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        #expect(try await queue.job(during)?.message == Self.message)
        #expect(try await queue.heldMessage() == Self.message)
        #expect(try await queue.counts().waiting == 3, "nothing is failed or dropped")
        // Redis ends the hold by itself, at the end it was given to the millisecond.
        let expiresAt = try await queue.redis.send("PEXPIRETIME", queue.keys.hold).int
        #expect(expiresAt == end.millisecondsSince1970)
        // Once it has ended (as if the day were over), new jobs wait for a worker again.
        try await queue.redis.send("DEL", queue.keys.hold)
        let after = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        #expect(try await queue.job(after)?.message == "Waiting for a worker")
    }

    /// Every worker honours a hold it did not place: the claim script itself refuses, so no
    /// worker's configuration (budget set or not) matters.
    @Test func theClaimScriptRefusesWhileTheQueueIsHeldAndClaimsOnceItEnds() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let id = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        _ = try await Self.record(queue, microdollars: 1_000_000, end: Date().addingTimeInterval(3600))
        let refused = try await queue.claim(progress: 10, message: "Preparing image")
        guard case .held(let message, let remaining) = refused else {
            Issue.record("claimed while held: \(refused)")
            return
        }
        #expect(message == Self.message)
        #expect(remaining > .seconds(3500) && remaining <= .seconds(3600))
        #expect(try await queue.job(id)?.status == .queued)
        // The hold ends (as it does at 00:00 UTC): the same claim takes the job.
        try await queue.redis.send("DEL", queue.keys.hold)
        guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("not claimed after the hold ended")
            return
        }
        #expect(lease.job.id == id)
    }

    /// A record sent again (its reply was lost) is billed once and cannot place the hold twice.
    @Test func aRepeatedRecordIsNotBilledAgain() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let id = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        let end = Date().addingTimeInterval(60)
        #expect(try await Self.record(queue, microdollars: 500_000, end: end, job: id, attempt: 1).billed)
        #expect(try await !Self.record(queue, microdollars: 500_000, end: end, job: id, attempt: 1).billed)
        #expect(try await queue.heldMessage() == nil, "the repeat did not count towards the budget")
        #expect(try await queue.job(id)?.costMicros == 500_000)
    }
}
