import Redis

/// A pause shared by every worker: when the endpoint answers 429, the whole
/// fleet holds off until the time it asked for, not only the job that got the
/// answer. One key, `{prefix}:gpu:paused_until` (ms, Redis clock), only ever
/// moved later.
public struct FleetPause: Sendable {
    let redis: RedisClient
    public let key: String

    public init(redis: RedisClient, prefix: String) {
        self.redis = redis
        self.key = "\(prefix):gpu:paused_until"
    }

    /// Holds every worker off for `duration` from now (unless a later pause is already set).
    public func pause(for duration: Duration) async throws(RedisError) {
        try await redis.run(Self.extend, keys: [key], arguments: [String(max(duration.milliseconds, 1))])
    }

    /// How long until calls may resume; zero when not paused.
    public func remaining() async throws(RedisError) -> Duration {
        .milliseconds(try await redis.run(Self.read, keys: [key], arguments: []).int ?? 0)
    }

    /// Sleeps until the pause is over. Re-reads after each sleep: another
    /// worker may have extended it meanwhile.
    public func waitUntilOver() async throws {
        while true {
            let left = try await remaining()
            if left <= .zero { return }
            try await Task.sleep(for: left)
        }
    }

    static let extend = RedisScript(name: "fleet-pause-extend", source: #"""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local untilMs = now + tonumber(ARGV[1])
    local current = tonumber(redis.call('GET', KEYS[1]) or '0')
    if untilMs > current then
      redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000)
    end
    return untilMs
    """#)

    static let read = RedisScript(name: "fleet-pause-read", source: #"""
    local untilMs = tonumber(redis.call('GET', KEYS[1]) or '0')
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    return math.max(0, untilMs - now)
    """#)
}
