import DecomposerCore
import Foundation
import Redis

/// `enqueue-script --clients N --seconds S`: N tasks each queuing jobs through
/// `JobQueue.enqueue` (the API's own call, without HTTP) in a loop. Its rate is
/// the most the API could reach on this machine with a free HTTP stack; the
/// script's own time in Redis (`INFO commandstats`) is what every enqueue costs
/// Redis's single thread, whoever sends it.
func enqueueScriptCase() async throws {
    let clients = option("--clients", 64)
    let seconds = option("--seconds", 5)
    let redis = RedisClient(configuration: requiredRedis(for: "enqueue-script"))
    defer { redis.shutdown() }
    let queue = JobQueue(
        redis: redis, keys: QueueKeys(prefix: "{bench-enqueue-\(UUID().uuidString.prefix(6))}"),
        policy: QueuePolicy(maxQueueDepth: 100_000_000))
    try await queue.loadScripts()
    let request = JobRequest(fileID: UUID(), numLayers: 5, resolution: 1024)
    _ = try await queue.enqueue(request)
    let before = try await scriptStats(redis)
    let (total, elapsed) = try await repeatedly(clients: clients, seconds: seconds) { _ = try await queue.enqueue(request) }
    let after = try await scriptStats(redis)
    report("enqueue_script_c\(clients)_per_s", Double(total) / elapsed, "jobs/s")
    let calls = after.calls - before.calls
    if calls > 0 {
        report("enqueue_script_redis_time", Double(after.microseconds - before.microseconds) / Double(calls), "us")
    }
    report("enqueue_script_client_cpu", cpuMilliseconds() * 1000 / Double(total), "us")
}

/// EVALSHA calls and the microseconds Redis spent in them so far.
private func scriptStats(_ redis: RedisClient) async throws -> (calls: Int, microseconds: Int) {
    let info = try await redis.send("INFO", "commandstats").string ?? ""
    guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_evalsha:") }) else {
        return (0, 0)
    }
    var fields: [Substring: Int] = [:]
    for pair in line.dropFirst("cmdstat_evalsha:".count).split(separator: ",") {
        let parts = pair.split(separator: "=")
        if parts.count == 2, let value = Int(parts[1]) { fields[parts[0]] = value }
    }
    return (fields["calls"] ?? 0, fields["usec"] ?? 0)
}
