import DecomposerCore
import Foundation
import Redis
import Synchronization
import TestSupport
import SystemSupport

/// A settable clock for the queue scripts, so lease expiry and backoff are
/// tested by moving time, not by sleeping.
final class ManualClock: Sendable {
    private let value = Mutex<Int64>(1_800_000_000_000)
    var now: Int64 { value.withLock { $0 } }
    func advance(by duration: Duration) { value.withLock { $0 += duration.milliseconds } }
    var reading: @Sendable () -> Int64 { { [self] in now } }
}

/// A queue on the shared test Redis under a key prefix of its own.
struct QueueTestContext {
    let redis: RedisClient
    let queue: JobQueue
    let clock = ManualClock()

    init(server: RedisServer? = nil, policy: QueuePolicy = QueuePolicy(leaseDuration: .seconds(30), maxAttempts: 4))
        async throws
    {
        let server = if let server { server } else { try await SharedRedis.server() }
        redis = server.makeClient()
        queue = JobQueue(redis: redis, keys: QueueKeys(prefix: SharedRedis.uniquePrefix("q")), policy: policy,
                         clock: clock.reading)
    }

    /// The same queue through a brand-new client, as after a process restart.
    func reopened() -> JobQueue {
        JobQueue(redis: RedisClient(configuration: redis.configuration), keys: queue.keys, policy: queue.policy,
                 clock: clock.reading)
    }

    func enqueue(_ count: Int = 1) async throws -> [UUID] {
        var ids: [UUID] = []
        for _ in 0..<count { ids.append(try await queue.enqueue(JobRequest(fileID: UUID())).jobID) }
        return ids
    }

    func claim() async throws -> JobLease? {
        if case .claimed(let lease) = try await queue.claim(progress: 10, message: "Preparing image") { return lease }
        return nil
    }

    /// Which of the queue's structures hold the job (a job must be in exactly one, or none once finished).
    func placesHolding(_ id: UUID) async throws -> [String] {
        let keys = queue.keys
        let member = id.lowercasedString
        let replies = try await redis.pipeline([
            ["LPOS", keys.wait, member], ["ZSCORE", keys.active, member], ["ZSCORE", keys.delayed, member],
        ])
        return zip(["wait", "active", "delayed"], replies).filter { $0.1 != .null }.map(\.0)
    }

    func shutdown() { redis.shutdown() }
}
