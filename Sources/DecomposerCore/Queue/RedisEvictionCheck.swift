import Redis

/// An evicted job key is a lost job, so the queue wants `maxmemory-policy noeviction`.
public enum RedisEvictionCheck {
    /// A warning to log, or nil when the policy is safe or cannot be read
    /// (managed Redis services often disable CONFIG).
    public static func warning(_ redis: RedisClient) async -> String? {
        guard let reply = try? await redis.send("CONFIG", "GET", "maxmemory-policy"),
            let parts = reply.array, parts.count == 2, let policy = parts[1].string
        else { return nil }
        guard policy != "noeviction" else { return nil }
        return "Redis maxmemory-policy is '\(policy)': under memory pressure Redis may evict job keys and lose jobs; set it to 'noeviction'"
    }
}
