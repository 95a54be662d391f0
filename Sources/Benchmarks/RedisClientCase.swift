import Foundation
import Redis

/// `redis-client --clients N --seconds S`: N tasks each sending PING through one
/// `RedisClient` in a loop, the way N concurrent API requests do. Its round
/// trips per second, against `redis-benchmark` PING on the same machine, show
/// what the client's thread hand-offs cost apart from HTTP.
func redisClientCase() async throws {
    let clients = option("--clients", 64)
    let seconds = option("--seconds", 5)
    var configuration = requiredRedis(for: "redis-client")
    configuration.poolSize = option("--pool", configuration.poolSize)
    let redis = RedisClient(configuration: configuration)
    defer { redis.shutdown() }
    try await redis.send("PING")
    let (total, elapsed) = try await repeatedly(clients: clients, seconds: seconds) { try await redis.send("PING") }
    report("redis_client_ping_c\(clients)_per_s", Double(total) / elapsed, "round trips/s")
    report("redis_client_cpu_per_round_trip", cpuMilliseconds() * 1000 / Double(total), "us")
}

/// Runs `body` in a loop on `clients` tasks for `seconds`; returns how many
/// times it ran in all and the seconds that took.
func repeatedly(
    clients: Int, seconds: Int, _ body: @escaping @Sendable () async throws -> Void
) async throws -> (count: Int, seconds: Double) {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<clients {
            group.addTask {
                var count = 0
                while ContinuousClock.now < deadline {
                    try await body()
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    return (total, (ContinuousClock.now - started) / .seconds(1))
}
