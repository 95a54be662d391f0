import DecomposerCore
import Foundation
import Redis

/// Attributes GPU cost to every call that reached the prediction endpoint:
/// per UTC day (one hash per day, integers so concurrent increments sum
/// exactly, expiring after the retention) and per job.
public struct CostTracker: Sendable {
    public let redis: RedisClient
    public let prefix: String
    public let rate: GPURate
    public let retentionDays: Int

    public init(redis: RedisClient, prefix: String, rate: GPURate, retentionDays: Int = 30) {
        self.redis = redis
        self.prefix = prefix
        self.rate = rate
        self.retentionDays = retentionDays
    }

    /// `{prefix}:cost:YYYY-MM-DD`, a HASH of `microdollars`, `gpu_ms`, `requests`, `failed_requests`.
    public func dayKey(_ day: String) -> String { "\(prefix):cost:\(day)" }

    /// Records one endpoint call of `duration`; returns the micro-dollars attributed (0 when
    /// it was already recorded). `attempt`: which of the job's calls this was — a call is
    /// billed once however often it is recorded, so a record whose reply was lost (Redis
    /// restarting) can be sent again.
    @discardableResult
    public func recordAttempt(
        jobID: UUID?, attempt: Int? = nil, duration: Duration, succeeded: Bool, at date: Date = Date()
    ) async throws(RedisError) -> Int64 {
        let cost = rate.cost(of: duration)
        let jobKey = jobID.map { QueueKeys(prefix: prefix).job($0) } ?? ""
        let reply = try await redis.run(
            Self.record, keys: [dayKey(UTCDay.key(for: date))],
            arguments: [String(cost), String(max(duration.totalMilliseconds, 0)), succeeded ? "0" : "1",
                        String(retentionDays * 86_400), jobKey, attempt.map(String.init) ?? ""])
        return reply.int == 0 ? 0 : cost
    }

    /// The last `count` UTC days including `today`, oldest first; days without use are zeros.
    public func days(last count: Int, endingAt today: Date = Date()) async throws(RedisError) -> [CostDay] {
        let keys = UTCDay.keys(last: count, endingAt: today)
        let replies = try await redis.pipeline(keys.map { ["HGETALL", dayKey($0)] })
        return zip(keys, replies).map { day, reply in
            let fields = reply.fieldMap ?? [:]
            func value(_ name: String) -> Int64 { fields[name].flatMap { Int64($0) } ?? 0 }
            return CostDay(date: day, microdollars: value("microdollars"), gpuMilliseconds: value("gpu_ms"),
                           requests: value("requests"), failedRequests: value("failed_requests"))
        }
    }

    /// KEYS[1] day hash. ARGV: µ$, ms, failed (0/1), ttl seconds, job key ('' none), attempt ('' none).
    /// The job's cost is added only while the job exists (never recreates an expired one). The
    /// job's `billed_attempt` is the last attempt billed: an attempt up to it is not billed again
    /// (returns 0). Attempts are billed in order: a job has one call at a time.
    static let record = RedisScript(name: "cost-record", source: #"""
    local job = ARGV[5] ~= '' and redis.call('EXISTS', ARGV[5]) == 1
    if job and ARGV[6] ~= '' then
      local attempt = tonumber(ARGV[6])
      if attempt <= tonumber(redis.call('HGET', ARGV[5], 'billed_attempt') or '0') then return 0 end
      redis.call('HSET', ARGV[5], 'billed_attempt', ARGV[6])
    end
    redis.call('HINCRBY', KEYS[1], 'microdollars', ARGV[1])
    redis.call('HINCRBY', KEYS[1], 'gpu_ms', ARGV[2])
    redis.call('HINCRBY', KEYS[1], 'requests', 1)
    redis.call('HINCRBY', KEYS[1], 'failed_requests', ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    if job then redis.call('HINCRBY', ARGV[5], 'cost_micros', ARGV[1]) end
    return 1
    """#)
}
