import DecomposerCore
import Foundation
import Testing
import TestSupport

/// `postpone`: a job whose storage is out of reach waits without using up its attempts.
@Suite struct QueuePostponeTests {
    @Test func postponingNeitherCountsAnAttemptNorFailsAJobWithItsAttemptsUsedUp() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(maxAttempts: 1))
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        // Its one attempt is made (the call), then the worker dies before saving; recovered later.
        let first = try #require(try await context.claim())
        #expect(try await context.queue.startCall(first) == .started)
        try await context.queue.release(first)

        for round in 1...3 {
            let lease = try #require(try await context.claim(), "round \(round)")
            try await context.queue.postpone(lease, after: .seconds(5), message: "Waiting for storage")
            let waiting = try #require(try await context.queue.job(id))
            #expect(waiting.status == .queued)
            #expect(waiting.attempts == 1)
            #expect(waiting.message == "Waiting for storage")
            #expect(try await context.placesHolding(id) == ["delayed"])
            context.clock.advance(by: .seconds(5))
        }
        let lease = try #require(try await context.claim())
        try await context.queue.complete(lease, layers: [])
        #expect(try await context.queue.job(id)?.status == .completed)
    }

    @Test func aPostponeFromAWorkerThatLostTheLeaseChangesNothing() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let lease = try #require(try await context.claim())
        _ = try await context.queue.cancel(id)
        await #expect(throws: QueueError.self) {
            try await context.queue.postpone(lease, after: .seconds(5), message: "Waiting for storage")
        }
        #expect(try await context.queue.job(id)?.status == .cancelled)
    }
}
