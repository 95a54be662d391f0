import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import SystemSupport

/// Guarantees 5 and 6: durable delayed retries, bounded poison pills.
@Suite struct QueueRetryTests {
    let rateLimited = JobError(code: "gpu_rate_limited", message: "Quota exceeded", googleStatus: "RESOURCE_EXHAUSTED")

    @Test func aRetryWaitsInRedisAndSurvivesAClientRestart() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let lease = try #require(try await context.claim())
        #expect(try await context.queue.startCall(lease) == .started)
        let outcome = try await context.queue.retry(
            lease, error: rateLimited, after: .seconds(4), message: "Rate limited by the GPU endpoint; retrying in 4 s (attempt 2 of 4)")
        #expect(outcome == .scheduled)
        let waiting = try #require(try await context.queue.job(id))
        #expect(waiting.status == .queued)
        #expect(waiting.message.contains("retrying in 4 s"))
        #expect(waiting.lastError == rateLimited)
        #expect(waiting.error == nil)
        #expect(try await context.placesHolding(id) == ["delayed"])

        // The worker process is gone; a new one starts.
        context.redis.shutdown()
        let restarted = context.reopened()
        defer { restarted.redis.shutdown() }
        let early = try await restarted.claim(progress: 10, message: "Preparing image")
        #expect(early == .empty(wakeAt: context.clock.now + 4_000, now: context.clock.now))
        context.clock.advance(by: .seconds(4))
        guard case .claimed(let again) = try await restarted.claim(progress: 10, message: "Preparing image") else {
            Issue.record("the retry was not delivered after its backoff")
            return
        }
        #expect(again.job.id == id)
        #expect(again.job.attempts == 1)
    }

    @Test func aJobFailsAfterMaxRetriesAndLandsInTheDeadLetterSet() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(maxAttempts: 3, deadLetterLimit: 2))
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        var outcomes: [RetryOutcome] = []
        for _ in 0..<3 {
            let lease = try #require(try await context.claim())
            #expect(try await context.queue.startCall(lease) == .started)
            outcomes.append(try await context.queue.retry(lease, error: rateLimited, after: .zero, message: "retrying"))
        }
        #expect(outcomes == [.scheduled, .scheduled, .exhausted])
        let job = try #require(try await context.queue.job(id))
        #expect(job.status == .failed)
        #expect(job.attempts == 3)
        #expect(job.error == rateLimited)
        #expect(try await context.placesHolding(id).isEmpty)
        #expect(try await context.claim() == nil)
        let dead = try await context.redis.send("ZRANGE", context.queue.keys.dead, "0", "-1")
        #expect(dead == .array([.bulk(id.lowercasedString)]))

        // The dead-letter set is capped.
        for _ in 0..<3 {
            _ = try await context.enqueue()
            let lease = try #require(try await context.claim())
            try await context.queue.fail(lease, error: JobError(code: "invalid_image", message: "not an image"))
        }
        #expect(try await context.queue.counts().dead == 2)
    }

    @Test func aJobThatKeepsKillingWorkersEndsFailedInsteadOfLoopingForever() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(leaseDuration: .seconds(30), maxAttempts: 2))
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        for _ in 0..<3 {
            _ = try await context.claim()
            context.clock.advance(by: .seconds(31))
            try await context.queue.sweep()
        }
        let job = try #require(try await context.queue.job(id))
        #expect(job.status == .failed)
        #expect(job.recoveries == 3)
        #expect(job.error?.code == "abandoned")
    }

    @Test func maxRecoveriesRaisesTheBoundWithoutMoreEndpointAttempts() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(leaseDuration: .seconds(30), maxAttempts: 2, maxRecoveries: 5))
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        for _ in 0..<5 {
            _ = try #require(try await context.claim())
            context.clock.advance(by: .seconds(31))
            try await context.queue.sweep()
        }
        #expect(try await context.queue.job(id)?.status == .queued, "five recoveries are allowed")
        _ = try #require(try await context.claim())
        context.clock.advance(by: .seconds(31))
        try await context.queue.sweep()
        let job = try #require(try await context.queue.job(id))
        #expect(job.status == .failed)
        #expect(job.error?.code == "abandoned")
        #expect(job.maxAttempts == 2)
    }

    @Test func finishedJobsExpireAfterTheRetention() async throws {
        let context = try await QueueTestContext(policy: QueuePolicy(retention: .seconds(3600)))
        defer { context.shutdown() }
        let id = try #require(try await context.enqueue().first)
        let queuedTTL = try await context.redis.send("PTTL", context.queue.keys.job(id))
        #expect(queuedTTL == .integer(-1), "an unfinished job never expires")
        let lease = try #require(try await context.claim())
        try await context.queue.complete(lease, layers: [])
        for key in [context.queue.keys.job(id), context.queue.keys.events(id)] {
            let ttl = try #require(try await context.redis.send("PTTL", key).int)
            #expect(ttl > 3_590_000 && ttl <= 3_600_000)
        }
    }
}
