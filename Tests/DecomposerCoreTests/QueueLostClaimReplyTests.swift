import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport
import SystemSupport

/// A claim that Redis ran but whose reply never arrived: asked again with the same `ClaimTokens`,
/// it gets back the jobs it took, instead of leaving them leased to nobody until the lease runs out.
@Suite struct QueueLostClaimReplyTests {
    /// The shared Redis, a queue reached through `RedisReplyDroppingProxy`, and the same queue
    /// reached directly (to look at the keys while the proxied client reconnects).
    struct Context {
        let direct: QueueTestContext
        let proxy: RedisReplyDroppingProxy
        let redis: RedisClient
        let queue: JobQueue

        init() async throws {
            let server = try await SharedRedis.server()
            direct = try await QueueTestContext(server: server)
            proxy = try RedisReplyDroppingProxy(upstreamPort: server.port)
            var configuration = server.configuration
            configuration.port = proxy.port
            redis = RedisClient(configuration: configuration)
            queue = JobQueue(redis: redis, keys: direct.queue.keys, policy: direct.queue.policy, clock: direct.clock.reading)
        }

        func shutdown() {
            redis.shutdown()
            proxy.stop()
            direct.shutdown()
        }
    }

    @Test func aClaimAheadAskedAgainGetsTheJobItTookWithTheSameLease() async throws {
        let context = try await Context()
        defer { context.shutdown() }
        let ids = try await context.direct.enqueue(2)
        let tokens = ClaimTokens()
        context.proxy.dropReplyToNext(containing: "Preparing image")
        await #expect(throws: QueueError.self) {
            try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 0, tokens: tokens)
        }
        #expect(context.proxy.droppedReplies == 1)
        #expect(tokens.hasUnanswered)
        // Redis ran the claim: the first job is leased, to a token only the lost reply carried.
        #expect(try await context.direct.placesHolding(ids[0]) == ["active"])

        let again = try #require(
            try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 0, tokens: tokens))
        #expect(again.leases.map(\.job.id) == [ids[0]], "the job taken before, not the next one")
        #expect(again.waiting == 1)
        #expect(!tokens.hasUnanswered)
        #expect(try await context.direct.placesHolding(ids[1]) == ["wait"])
        // The lease is the one Redis holds: fenced writes go through, and nothing needs recovering.
        let lease = try #require(again.leases.first)
        try await context.queue.renew(lease)
        try await context.queue.complete(lease, layers: [])
        #expect(try await context.direct.queue.job(ids[0])?.status == .completed)
        #expect(try await context.direct.queue.job(ids[0])?.recoveries == 0)
    }

    @Test func nextJobsAskedAgainGetsEveryJobItTookAndOnlyThose() async throws {
        let context = try await Context()
        defer { context.shutdown() }
        let ids = try await context.direct.enqueue(3)
        let tokens = ClaimTokens()
        let connection = context.redis.makeBlockingConnection(name: "test-claim")
        defer { connection.close() }
        context.proxy.dropReplyToNext(containing: "Preparing image")
        await #expect(throws: (any Error).self) {
            try await context.queue.nextJobs(
                waitingOn: connection, upTo: 2, progress: 10, message: "Preparing image", tokens: tokens)
        }
        #expect(context.proxy.droppedReplies == 1)

        // Asked for one this time: both jobs the lost claim took come back, the third stays.
        let again = try await context.queue.nextJobs(
            waitingOn: connection, upTo: 1, progress: 10, message: "Preparing image", tokens: tokens)
        #expect(Set(again.leases.map(\.job.id)) == Set(ids.prefix(2)))
        #expect(Set(again.leases.map(\.token)).count == 2)
        #expect(try await context.direct.placesHolding(ids[2]) == ["wait"])
        for lease in again.leases { try await context.queue.renew(lease) }

        // Answered: the next claim is an ordinary one again.
        let next = try #require(
            try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 0, tokens: tokens))
        #expect(next.leases.map(\.job.id) == [ids[2]])
        #expect(Set(next.leases.map(\.token)).isDisjoint(with: again.leases.map(\.token)))
    }

    @Test func aLostClaimThatTookNothingLeavesTheNextClaimOrdinary() async throws {
        let context = try await Context()
        defer { context.shutdown() }
        let tokens = ClaimTokens()
        context.proxy.dropReplyToNext(containing: "Preparing image")
        await #expect(throws: QueueError.self) {
            try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 0, tokens: tokens)
        }
        // The queue was empty then; a job enqueued since is claimed as usual.
        let id = try #require(try await context.direct.enqueue().first)
        let claimed = try #require(
            try await context.queue.claimAhead(progress: 10, message: "Preparing image", leavingWaiting: 0, tokens: tokens))
        #expect(claimed.leases.map(\.job.id) == [id])
        #expect(!tokens.hasUnanswered)
    }
}
