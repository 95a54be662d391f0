import DecomposerCore
import Foundation
import Testing
import TestSupport

@Suite struct QueueHoldTests {
    @Test func aHoldAnnotatesQueuedJobsOnceAndExpiresByItself() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let first = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        let second = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        let message = "Daily GPU budget reached; jobs resume at 00:00 UTC"
        let end = Date().addingTimeInterval(1.5)
        #expect(try await queue.hold(message: message, until: end) == 2)
        #expect(try await queue.hold(message: message, until: end) == nil, "only the first holder reports it")
        for id in [first, second] {
            let job = try #require(try await queue.job(id))
            #expect(job.status == .queued)
            #expect(job.message == message)
            #expect(try await queue.events(of: id, after: 0).last?.message == message, "watchers see why")
        }
        let during = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        #expect(try await queue.job(during)?.message == message)
        #expect(try await queue.heldMessage() == message)
        #expect(try await queue.counts().waiting == 3, "nothing is failed or dropped")
        // The hold ends by itself at its end time.
        let deadline = ContinuousClock.now + .seconds(10)
        while try await queue.heldMessage() != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await queue.heldMessage() == nil)
        let after = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        #expect(try await queue.job(after)?.message == "Waiting for a worker")
    }
}
