import CostTracker
import DecomposerCore
import Foundation
import Redis
import Testing
import TestSupport

@Suite struct CostTrackerTests {
    @Test func costIsDurationTimesRateInWholeMicrodollars() {
        let rate = GPURate(usdPerHour: 0.45)
        #expect(rate.microdollarsPerHour == 450_000)
        #expect(rate.cost(of: .seconds(3600)) == 450_000)
        #expect(rate.cost(of: .seconds(8)) == 1_000)
        #expect(rate.cost(of: .milliseconds(1)) == 0)  // 0.125 µ$ rounds to 0
        #expect(rate.cost(of: .milliseconds(4)) == 1)  // 0.5 µ$ rounds up
    }

    @Test func aThousandConcurrentRecordsSumExactly() async throws {
        let (redis, _, tracker) = try await Self.tracker(rate: GPURate(usdPerHour: 0.45))
        defer { redis.shutdown() }
        let day = Date(timeIntervalSince1970: 1_800_000_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    try await tracker.recordAttempt(jobID: nil, duration: .milliseconds(1_234), succeeded: index % 10 != 0, at: day)
                }
            }
            try await group.waitForAll()
        }
        let today = try #require(try await tracker.days(last: 1, endingAt: day).first)
        #expect(today.requests == 1_000)
        #expect(today.failedRequests == 100)
        #expect(today.gpuMilliseconds == 1_234_000)
        #expect(today.microdollars == 1_000 * GPURate(usdPerHour: 0.45).cost(of: .milliseconds(1_234)))
    }

    @Test func daysRollOverAtUTCMidnightAndEmptyDaysAreZero() async throws {
        let (redis, queue, tracker) = try await Self.tracker(rate: GPURate(usdPerHour: 3.6))
        defer { redis.shutdown() }
        let beforeMidnight = try #require(ISO8601DateFormatter().date(from: "2026-11-20T23:59:59Z"))
        let afterMidnight = try #require(ISO8601DateFormatter().date(from: "2026-11-21T00:00:01Z"))
        try await tracker.recordAttempt(jobID: nil, duration: .seconds(10), succeeded: true, at: beforeMidnight)
        try await tracker.recordAttempt(jobID: nil, duration: .seconds(20), succeeded: false, at: afterMidnight)
        let days = try await tracker.days(last: 3, endingAt: afterMidnight)
        #expect(days.map(\.date) == ["2026-11-19", "2026-11-20", "2026-11-21"])
        #expect(days[0] == CostDay(date: "2026-11-19"))
        #expect(days[1].microdollars == 10_000 && days[1].requests == 1 && days[1].failedRequests == 0)
        #expect(days[2].microdollars == 20_000 && days[2].failedRequests == 1)
        let ttl = try #require(try await redis.send("TTL", queue.keys.costDay("2026-11-21")).int)
        #expect(ttl > 29 * 86_400 && ttl <= 30 * 86_400, "each day expires after the retention")
    }

    @Test func theJobCarriesItsOwnCostButAnExpiredJobIsNotRecreated() async throws {
        let (redis, queue, tracker, id) = try await Self.trackerWithAJob()
        defer { redis.shutdown() }
        try await tracker.recordAttempt(jobID: id, duration: .seconds(8), succeeded: false)
        try await tracker.recordAttempt(jobID: id, duration: .seconds(16), succeeded: true)
        #expect(try await queue.job(id)?.costMicros == 3_000)

        let gone = UUID()
        try await tracker.recordAttempt(jobID: gone, duration: .seconds(8), succeeded: true)
        #expect(try await redis.send("EXISTS", queue.keys.job(gone)) == .integer(0))
    }

    @Test func anAttemptRecordedAgainIsBilledOnce() async throws {
        let (redis, queue, tracker, id) = try await Self.trackerWithAJob()
        defer { redis.shutdown() }
        let day = Date(timeIntervalSince1970: 1_795_000_000)

        // The first record's reply was lost (Redis restarting), so the worker sends it again.
        let first = try await tracker.recordAttempt(jobID: id, attempt: 1, duration: .seconds(8), succeeded: false, at: day)
        let repeated = try await tracker.recordAttempt(jobID: id, attempt: 1, duration: .seconds(8), succeeded: false, at: day)
        let second = try await tracker.recordAttempt(jobID: id, attempt: 2, duration: .seconds(16), succeeded: true, at: day)
        #expect(first.billed && first.microdollars == 1_000)
        #expect(!repeated.billed && repeated.microdollars == 0)
        #expect(second.billed && second.microdollars == 2_000)
        #expect(try await queue.job(id)?.costMicros == 3_000)
        let today = try #require(try await tracker.days(last: 1, endingAt: day).first)
        #expect(today.requests == 2)
        #expect(today.failedRequests == 1)
        #expect(today.microdollars == 3_000)
    }

    /// A worker cut off from Redis mid-call (a network partition) bills its attempt when it is
    /// back, after the worker that recovered the job meanwhile billed the next attempt: both
    /// calls reached the endpoint, so both are billed, each once.
    @Test func anEarlierAttemptRecordedAfterALaterOneIsBilledToo() async throws {
        let (redis, queue, tracker, id) = try await Self.trackerWithAJob()
        defer { redis.shutdown() }
        let day = Date(timeIntervalSince1970: 1_795_000_000)

        let recovered = try await tracker.recordAttempt(jobID: id, attempt: 2, duration: .seconds(16), succeeded: true, at: day)
        let late = try await tracker.recordAttempt(jobID: id, attempt: 1, duration: .seconds(8), succeeded: true, at: day)
        let lateAgain = try await tracker.recordAttempt(jobID: id, attempt: 1, duration: .seconds(8), succeeded: true, at: day)
        let recoveredAgain = try await tracker.recordAttempt(jobID: id, attempt: 2, duration: .seconds(16), succeeded: true, at: day)
        let tenth = try await tracker.recordAttempt(jobID: id, attempt: 10, duration: .seconds(8), succeeded: false, at: day)
        #expect(recovered.billed && late.billed && tenth.billed)
        #expect(!lateAgain.billed && !recoveredAgain.billed, "each attempt is still billed once")
        #expect(try await queue.job(id)?.costMicros == 4_000)
        let today = try #require(try await tracker.days(last: 1, endingAt: day).first)
        #expect(today.requests == 3)
        #expect(today.failedRequests == 1)
        #expect(today.microdollars == 4_000)
    }

    /// A job billed before the billed attempts were a set carries only its highest billed
    /// attempt: a rolling upgrade must not bill those attempts again.
    @Test func attemptsBilledByTheEarlierReleaseAreNotBilledAgain() async throws {
        let (redis, queue, tracker, id) = try await Self.trackerWithAJob()
        defer { redis.shutdown() }
        _ = try await redis.send(["HSET", queue.keys.job(id), "billed_attempt", "2"])
        let day = Date(timeIntervalSince1970: 1_795_000_000)
        let first = try await tracker.recordAttempt(jobID: id, attempt: 1, duration: .seconds(8), succeeded: true, at: day)
        let second = try await tracker.recordAttempt(jobID: id, attempt: 2, duration: .seconds(8), succeeded: true, at: day)
        let third = try await tracker.recordAttempt(jobID: id, attempt: 3, duration: .seconds(8), succeeded: true, at: day)
        #expect(!first.billed && !second.billed && third.billed)
        #expect(try await tracker.days(last: 1, endingAt: day).first?.requests == 1)
    }

    /// A call recorded without a date counts in the day of the queue's clock (Redis's `TIME` in
    /// production, injected here), not this machine's: every process agrees on the day.
    @Test func aCallIsCountedInTheDayOfTheQueuesClock() async throws {
        let midnight = try #require(ISO8601DateFormatter().date(from: "2026-11-21T00:00:01Z"))
        let (redis, _, tracker) = try await Self.tracker(rate: GPURate(usdPerHour: 3.6), clock: { midnight.millisecondsSince1970 })
        defer { redis.shutdown() }
        try await tracker.recordAttempt(jobID: nil, duration: .seconds(5), succeeded: true)
        let days = try await tracker.days(last: 2)
        #expect(days.map(\.date) == ["2026-11-20", "2026-11-21"])
        #expect(days[1].microdollars == 5_000)
    }

    /// Without an injected clock the queue reads Redis's: within a second of its `TIME`.
    @Test func theQueuesClockIsRedisTime() async throws {
        let (redis, queue, _) = try await Self.tracker(rate: GPURate(usdPerHour: 1))
        defer { redis.shutdown() }
        // Bracketed by two TIME readings instead of a tolerance, so a loaded machine cannot fail it.
        let before = try await Self.redisTime(redis)
        let queueNow = try await queue.now().millisecondsSince1970
        let after = try await Self.redisTime(redis)
        #expect(before <= queueNow && queueNow <= after, "\(queueNow) is not between \(before) and \(after)")
    }

    /// Redis's `TIME` in milliseconds.
    private static func redisTime(_ redis: RedisClient) async throws -> Int64 {
        let time = try #require(try await redis.send("TIME").array)
        return try #require(time[0].int) * 1000 + (try #require(time[1].int)) / 1000
    }

    /// A tracker and its queue on a prefix of their own.
    private static func tracker(rate: GPURate, clock: (@Sendable () -> Int64)? = nil) async throws
        -> (RedisClient, JobQueue, CostTracker)
    {
        let redis = try await SharedRedis.server().makeClient()
        let queue = JobQueue(
            redis: redis, keys: QueueKeys(prefix: SharedRedis.uniquePrefix("cost")), policy: QueuePolicy(), clock: clock)
        return (redis, queue, CostTracker(queue: queue, rate: rate))
    }

    /// A tracker and a queue on a prefix of their own, with one queued job.
    private static func trackerWithAJob() async throws -> (RedisClient, JobQueue, CostTracker, UUID) {
        let (redis, queue, tracker) = try await tracker(rate: GPURate(usdPerHour: 0.45))
        let id = try await queue.enqueue(JobRequest(fileID: UUID())).jobID
        return (redis, queue, tracker, id)
    }
}
