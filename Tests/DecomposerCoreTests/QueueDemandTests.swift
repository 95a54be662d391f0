import DecomposerCore
import Foundation
import Testing
import TestSupport

/// `QueueCounts.demand`, what the workers' autoscaler reads: running jobs always, waiting jobs and
/// due retries only while a worker could take them now.
@Suite struct QueueDemandTests {
    /// Three jobs, one of them running.
    static func oneRunningTwoWaiting(_ context: QueueTestContext) async throws {
        _ = try await context.enqueue(3)
        _ = try #require(try await context.claim())
    }

    @Test func demandIsRunningPlusWaitingWhileTheQueueIsClaimable() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        #expect(try await context.queue.counts().demand == 0)
        try await Self.oneRunningTwoWaiting(context)
        let counts = try await context.queue.counts()
        #expect(counts.waiting == 2)
        #expect(counts.active == 1)
        #expect(counts.claimable)
        #expect(!counts.held && !counts.fleetPaused)
        #expect(counts.demand == 3)
    }

    @Test func aHeldQueueCountsOnlyItsRunningJobs() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        try await Self.oneRunningTwoWaiting(context)
        _ = try await QueueHoldTests.record(context.queue, microdollars: 1_000_000, end: Date().addingTimeInterval(3600))
        let held = try await context.queue.counts()
        #expect(held.held)
        #expect(!held.claimable)
        #expect(held.waiting == 2, "the jobs still wait; only the demand leaves them out")
        #expect(held.demand == 1)
        try await context.redis.send("DEL", context.queue.keys.hold)
        #expect(try await context.queue.counts().demand == 3, "the hold ended")
    }

    @Test func aFleetPauseCountsOnlyRunningJobsUntilItEnds() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        try await Self.oneRunningTwoWaiting(context)
        try await context.queue.pauseFleet(for: .seconds(30))
        let paused = try await context.queue.counts()
        #expect(paused.fleetPaused)
        #expect(!paused.claimable)
        #expect(paused.demand == 1)
        // The pause is judged on the queue's clock: once that passes its end, the jobs count again
        // (the key itself is still there; Redis drops it a second after the end).
        context.clock.advance(by: .seconds(30) - .milliseconds(1))
        #expect(try await context.queue.counts().fleetPaused, "still paused in its last millisecond")
        context.clock.advance(by: .milliseconds(1))
        let resumed = try await context.queue.counts()
        #expect(!resumed.fleetPaused)
        #expect(resumed.demand == 3)
    }

    /// A retry is demand once it falls due: with no worker running nothing moves it to the wait
    /// list, so a gauge that ignored it would leave workers at zero with work to do.
    @Test func aRetryCountsOnceItFallsDue() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        _ = try await context.enqueue(1)
        let lease = try #require(try await context.claim())
        _ = try await context.queue.retry(lease, error: JobError(code: "unavailable", message: "503"), after: .seconds(10), message: "m")
        let backingOff = try await context.queue.counts()
        #expect(backingOff.delayed == 1)
        #expect(backingOff.dueRetries == 0)
        #expect(backingOff.demand == 0)
        context.clock.advance(by: .seconds(10))
        let due = try await context.queue.counts()
        #expect(due.dueRetries == 1)
        #expect(due.waiting == 0, "nothing promoted it yet")
        #expect(due.demand == 1)
        _ = try await QueueHoldTests.record(context.queue, microdollars: 1_000_000, end: Date().addingTimeInterval(3600))
        #expect(try await context.queue.counts().demand == 0, "a held queue: no worker may take it")
    }

    /// The keys the demand is read from, as deploy/kubernetes names them beside the KEDA trigger.
    @Test func theDemandKeysAreTheQueuesOwn() {
        let keys = QueueKeys(prefix: "{decomposer}")
        #expect(keys.demandKeys == [
            "{decomposer}:queue:wait", "{decomposer}:queue:delayed", "{decomposer}:queue:active",
            "{decomposer}:queue:hold", "{decomposer}:queue:operator-pause", "{decomposer}:gpu:paused_until",
        ])
    }
}
