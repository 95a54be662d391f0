import DecomposerCore
import Foundation
import Redis
import SystemSupport
import Testing
import TestSupport

/// The result cache's Redis side: the entry `complete` writes, `look-up-result`'s single flight,
/// and `complete-cached`'s count of hits, against a real Redis.
@Suite struct ResultCacheQueueTests {
    static let digest = String(repeating: "ab", count: 32)
    static let layers = [LayerResult(index: 0, filename: "layer_0.png", url: "/results/x/layer_0.png", sizeKB: 1, width: 4, height: 3)]

    /// `count` jobs enqueued and claimed, in claim order.
    static func claimed(_ count: Int, _ context: QueueTestContext) async throws -> [JobLease] {
        _ = try await context.enqueue(count)
        var leases: [JobLease] = []
        for _ in 0..<count { leases.append(try #require(try await context.claim())) }
        return leases
    }

    static func record(micros: Int64) -> ResultCacheRecord {
        ResultCacheRecord(digest: digest, timeToLive: .seconds(3600), callMicrodollars: micros, deployedModelID: "model-7")
    }

    @Test func theFirstJobCallsItsTwinWaitsThenFindsTheCompletedResult() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let leases = try await Self.claimed(2, context)
        let (first, second) = (leases[0], leases[1])

        #expect(try await queue.lookUpResult(first, digest: Self.digest) == .yours)
        #expect(try await queue.lookUpResult(second, digest: Self.digest) == .running(claimant: first.job.id))
        #expect(try await queue.lookUpResult(first, digest: Self.digest) == .yours, "asking again changes nothing")

        try await queue.complete(first, layers: Self.layers, attempt: 1, caching: Self.record(micros: 125))
        let found = try await queue.lookUpResult(second, digest: Self.digest)
        #expect(found == .hit(CachedResult(sourceJobID: first.job.id, sourceAttempt: 1, layers: Self.layers, callMicrodollars: 125)))
        let entry = try await context.redis.send(["HGETALL", queue.keys.resultCache(Self.digest)]).fieldMap ?? [:]
        #expect(entry["deployed_model_id"] == "model-7")
        #expect(entry["calls"] == "1")
        let ttl = try await context.redis.send(["PTTL", queue.keys.resultCache(Self.digest)]).int ?? -1
        #expect(ttl > 3_500_000 && ttl <= 3_600_000, "CACHE_TTL_DAYS bounds the entry")
        #expect(try await context.redis.send(["EXISTS", queue.keys.resultInFlight(Self.digest)]).int == 0, "the flight ended with the completion")
    }

    @Test func aClaimantThatIsNoLongerProcessingHandsTheFlightToTheNextJobThatAsks() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        let leases = try await Self.claimed(3, context)
        let (first, second, third) = (leases[0], leases[1], leases[2])
        #expect(try await queue.lookUpResult(first, digest: Self.digest) == .yours)

        // The claimant failed for good: its twin calls on its own.
        try await queue.fail(first, error: JobError(code: "invalid_request", message: "refused"))
        #expect(try await queue.lookUpResult(second, digest: Self.digest) == .yours)
        #expect(try await queue.lookUpResult(third, digest: Self.digest) == .running(claimant: second.job.id))

        // The new claimant is cancelled: the next to ask takes over again.
        _ = try await queue.cancel(second.job.id)
        #expect(try await queue.lookUpResult(third, digest: Self.digest) == .yours)

        // A claimant whose lease expired (its worker died) is taken back by the sweep and holds it no more.
        _ = try await context.enqueue(1)
        let fourth = try #require(try await context.claim())
        #expect(try await queue.lookUpResult(fourth, digest: Self.digest) == .running(claimant: third.job.id))
        context.clock.advance(by: .seconds(31))
        try await queue.sweep()
        // Both leases expired; whichever of the two asks first now holds the flight.
        let renewed = try #require(try await context.claim())
        #expect(try await queue.lookUpResult(renewed, digest: Self.digest) == .yours)
    }

    @Test func theEntryAveragesItsCallsCostsAndAStaleOneIsDropped() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        _ = try await context.enqueue(3)
        let first = try #require(try await context.claim())
        let second = try #require(try await context.claim())
        // Two calls made the digest's result (say, a twin that called while the flight was elsewhere).
        try await queue.complete(first, layers: Self.layers, attempt: 1, caching: Self.record(micros: 100))
        try await queue.complete(second, layers: Self.layers, attempt: 1, caching: Self.record(micros: 200))
        let third = try #require(try await context.claim())
        #expect(try await queue.lookUpResult(third, digest: Self.digest)
            == .hit(CachedResult(sourceJobID: second.job.id, sourceAttempt: 1, layers: Self.layers, callMicrodollars: 150)))
        // Naming a job that is not the entry's source drops nothing.
        #expect(try await queue.lookUpResult(third, digest: Self.digest, staleSource: first.job.id) != .yours)
        // The entry's layers were cleaned up: the job that found them gone drops it and calls, to repair it.
        #expect(try await queue.lookUpResult(third, digest: Self.digest, staleSource: second.job.id) == .yours)
        #expect(try await context.redis.send(["EXISTS", queue.keys.resultCache(Self.digest)]).int == 0)
    }

    @Test func aCompletionFromTheCacheCountsTheHitOnceAndOnlyWithTheLease() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let queue = context.queue
        _ = try await context.enqueue(2)
        let lease = try #require(try await context.claim())
        let cached = CachedResult(sourceJobID: UUID(), sourceAttempt: 2, layers: Self.layers, callMicrodollars: 4_321)
        try await queue.completeFromCache(lease, layers: Self.layers, attempt: 1, cached: cached, day: "2026-12-06", costRetention: .seconds(86_400))
        let job = try #require(try await queue.job(lease.job.id))
        #expect(job.status == .completed && job.cached && job.progress == 100)
        #expect(job.layersAttempt == 1 && job.layers == Self.layers)
        #expect(job.costMicros == 0, "no call, no cost")
        await #expect(throws: QueueError.leaseLost(lease.job.id)) {
            try await queue.completeFromCache(lease, layers: Self.layers, attempt: 1, cached: cached, day: "2026-12-06", costRetention: .seconds(86_400))
        }
        let day = try await context.redis.send(["HGETALL", queue.keys.costDay("2026-12-06")]).fieldMap ?? [:]
        #expect(day["cache_hits"] == "1" && day["cache_avoided_micros"] == "4321", "\(day)")
        #expect(day["requests"] == nil, "a hit is not a request")
    }

    @Test func anOptedOutRequestIsStoredAsSuchAndItsFingerprintDiffers() async throws {
        let context = try await QueueTestContext()
        defer { context.shutdown() }
        let file = UUID()
        let id = try await context.queue.enqueue(JobRequest(fileID: file, useCache: false)).jobID
        #expect(try await context.queue.job(id)?.cacheAllowed == false)
        let other = try await context.queue.enqueue(JobRequest(fileID: file)).jobID
        #expect(try await context.queue.job(other)?.cacheAllowed == true)
        #expect(JobRequest(fileID: file).fingerprint != JobRequest(fileID: file, useCache: false).fingerprint)
        // The same key for the same file with the cache on is another request.
        let keyed = try await context.queue.enqueue(JobRequest(fileID: file, useCache: false), idempotencyKey: "fresh").jobID
        await #expect(throws: QueueError.idempotencyConflict(existing: keyed)) {
            _ = try await context.queue.enqueue(JobRequest(fileID: file), idempotencyKey: "fresh")
        }
    }
}
