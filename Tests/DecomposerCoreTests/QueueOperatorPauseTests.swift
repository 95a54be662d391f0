import DecomposerCore
import Foundation
import Testing
import TestSupport

/// `decomposer queue pause|resume`: the operator's pause is refused by the claim script like the
/// budget hold, shown by queued jobs, left out of the demand gauge, and lifted without touching a
/// budget hold.
@Suite struct QueueOperatorPauseTests {
    static let message = "Maintenance until 09:00 UTC"

    @Test func pauseRefusesClaimsAndResumeRestoresThem() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let running = try #require(try await context.enqueue(1).first)
        _ = try #require(try await context.claim())
        let waiting = try await context.enqueue(2)
        #expect(try await queue.pauseQueue(message: Self.message) == 2, "both queued jobs say why")
        let refused = try await queue.claim(progress: 10, message: "Preparing image")
        #expect(refused == .paused(message: Self.message))
        for id in waiting {
            #expect(try await queue.job(id)?.message == Self.message)
            #expect(try await queue.events(of: id, after: 0).last?.message == Self.message, "watchers see why")
        }
        #expect(try await queue.job(running)?.status == .processing, "a running job is left to finish")
        let during = try #require(try await context.enqueue(1).first)
        #expect(try await queue.job(during)?.message == Self.message, "a job queued meanwhile says why at once")
        let places = try await queue.places(of: waiting)
        #expect(places[waiting[0]] == .operatorPause)
        #expect(places[waiting[0]]?.waitingReason == "operator_pause")
        let counts = try await queue.counts()
        #expect(counts.operatorPaused && !counts.claimable)
        #expect(counts.demand == 1, "only the running job needs a worker")
        #expect(try await queue.pauseState() == QueuePauseState(operatorMessage: Self.message, holdMessage: nil, holdRemaining: nil))

        let markersBefore = try await context.redis.send("LLEN", queue.keys.marker).int ?? 0
        let resumed = try await queue.resumeQueue()
        #expect(resumed == ResumeOutcome(wasPaused: true, annotated: 3, stillHeld: false))
        #expect(try await context.redis.send("LLEN", queue.keys.marker).int == markersBefore + 3, "a wake-up per waiting job")
        #expect(try await queue.job(waiting[1])?.message == JobQueue.waitingMessage)
        #expect(try await queue.counts().demand == 4)
        guard case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("not claimed after resume")
            return
        }
        #expect(lease.job.id == waiting[0], "the line kept its order")
        #expect(try await queue.resumeQueue().wasPaused == false, "resuming twice changes nothing")
    }

    @Test func resumeLeavesABudgetHoldAlone() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let id = try #require(try await context.enqueue(1).first)
        try await queue.pauseQueue(message: Self.message)
        _ = try await QueueHoldTests.record(queue, microdollars: 1_000_000, end: Date().addingTimeInterval(3600))
        let state = try await queue.pauseState()
        #expect(state.operatorMessage == Self.message)
        #expect(state.holdMessage == QueueHoldTests.message)
        #expect((state.holdRemaining ?? .zero) > .seconds(3500))
        let markersBefore = try await context.redis.send("LLEN", queue.keys.marker).int ?? 0
        let resumed = try await queue.resumeQueue()
        #expect(resumed == ResumeOutcome(wasPaused: true, annotated: 1, stillHeld: true))
        #expect(try await queue.heldMessage() == QueueHoldTests.message, "the budget hold stands")
        #expect(try await queue.job(id)?.message == QueueHoldTests.message, "the job says it waits for the budget")
        #expect(try await context.redis.send("LLEN", queue.keys.marker).int == markersBefore, "nobody to wake while held")
        guard case .held = try await queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("claimed during the budget hold")
            return
        }
    }
}
