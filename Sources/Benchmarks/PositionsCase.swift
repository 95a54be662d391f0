import DecomposerCore
import Foundation
import Redis

/// `positions [--queued N --watched W --ticks T]`: what the API's watch hub pays per second for
/// queue positions (`JobQueue.places`) with N jobs queued (default 10,000) and W of them watched
/// (default 1,000, spread over the whole line): T ticks (default 20), one claim between two so
/// the queue moves each time, each tick one pipeline of 2W O(log N) reads. Reports per tick the
/// wall time, this process's CPU and Redis's CPU (`INFO cpu`, main thread user + sys), which is
/// the cost per second since the hub ticks at most once a second; and, for scale, Redis's CPU for
/// one tick answered with `LPOS` instead (a scan of the list per job). Needs REDIS_URL.
func positionsCase() async throws {
    let queuedCount = option("--queued", 10_000)
    let watchedCount = option("--watched", 1_000)
    let ticks = option("--ticks", 20)
    let redis = RedisClient(configuration: requiredRedis(for: "positions"))
    defer { redis.shutdown() }
    let queue = JobQueue(
        redis: redis, keys: QueueKeys(prefix: "{bench-positions-\(UUID().uuidString.prefix(6))}"),
        policy: QueuePolicy(maxQueueDepth: 100_000_000))
    try await queue.loadScripts()
    var ids: [UUID] = []
    ids.reserveCapacity(queuedCount)
    try await withThrowingTaskGroup(of: [UUID].self) { group in
        for _ in 0..<16 {
            group.addTask {
                var mine: [UUID] = []
                for _ in 0..<(queuedCount / 16) { mine.append(try await queue.enqueue(JobRequest(fileID: UUID())).jobID) }
                return mine
            }
        }
        for try await part in group { ids += part }
    }
    let stride = max(1, (ids.count - ticks) / watchedCount)
    let watched = Swift.stride(from: ticks, to: ids.count, by: stride).prefix(watchedCount).map { ids[$0] }
    try await queue.advertiseSlots(worker: UUID(), slots: 16, timeToLive: .seconds(600))

    var wall = Duration.zero
    let cpuStart = cpuMilliseconds()
    let redisStart = try await redisCPUMilliseconds(redis)
    for _ in 0..<ticks {
        _ = try await queue.claim(progress: 10, message: "bench")
        let started = ContinuousClock.now
        let places = try await queue.places(of: watched)
        wall += ContinuousClock.now - started
        guard places.count == watched.count else { throw RedisError.unexpectedReply("places: \(places.count)") }
    }
    let redisUsed = try await redisCPUMilliseconds(redis) - redisStart
    let cpuUsed = cpuMilliseconds() - cpuStart
    let label = "positions_\(queuedCount)_queued_\(watched.count)_watched"
    report("\(label)_tick_wall", wall / .milliseconds(1) / Double(ticks), "ms")
    report("\(label)_api_cpu_per_s", cpuUsed / Double(ticks), "ms")
    report("\(label)_redis_cpu_per_s", redisUsed / Double(ticks), "ms")
    // For scale: the same tick answered by scanning the list (LPOS, O(N) per job).
    let scanStart = try await redisCPUMilliseconds(redis)
    _ = try await redis.pipeline(watched.map { ["LPOS", queue.keys.wait, $0.lowercasedString] })
    report("\(label)_lpos_redis_cpu_per_s", try await redisCPUMilliseconds(redis) - scanStart, "ms")
    _ = try await redis.send(["DEL", queue.keys.wait, queue.keys.order])
}

/// Redis's main-thread CPU (user + sys) so far, from `INFO cpu`.
private func redisCPUMilliseconds(_ redis: RedisClient) async throws -> Double {
    let info = try await redis.send(["INFO", "cpu"]).string ?? ""
    var total = 0.0
    for line in info.split(whereSeparator: \.isNewline) {
        let parts = line.split(separator: ":")
        if parts.count == 2, parts[0] == "used_cpu_user_main_thread" || parts[0] == "used_cpu_sys_main_thread" {
            total += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
    }
    return total * 1000
}
