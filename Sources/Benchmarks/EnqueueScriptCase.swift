import DecomposerCore
import Foundation
import Redis

/// `enqueue-script --clients N --seconds S --rounds R`: N tasks each queuing jobs through
/// `JobQueue.enqueue` (the API's own call, without HTTP) in a loop. Its rate is the most the API
/// could reach on this machine with a free HTTP stack; the script's own time in Redis
/// (`INFO commandstats`) is what every enqueue costs Redis's single thread, whoever sends it.
/// The script as it was before issue 23 (`ReferenceEnqueueScript`) runs in the same process,
/// alternated with today's R times (S seconds each, its own queue), so the ratio of their Redis
/// times (`enqueue_script_redis_time_ratio`, medians) holds on a machine shared with other work.
func enqueueScriptCase() async throws {
    let clients = option("--clients", 64)
    let seconds = option("--seconds", 5)
    let rounds = max(1, option("--rounds", 3))
    let redis = RedisClient(configuration: requiredRedis(for: "enqueue-script"))
    defer { redis.shutdown() }
    let run = UUID().uuidString.prefix(6)
    let policy = QueuePolicy(maxQueueDepth: 100_000_000)
    let queue = JobQueue(redis: redis, keys: QueueKeys(prefix: "{bench-enqueue-\(run)}"), policy: policy)
    let reference = ReferenceEnqueueScript(redis: redis, keys: QueueKeys(prefix: "{bench-enqueue-ref-\(run)}"), policy: policy)
    try await queue.loadScripts()
    try await redis.load([ReferenceEnqueueScript.script])
    let request = JobRequest(fileID: UUID(), numLayers: 5, resolution: 1024)
    // As the API enqueues: the upload's note checked in the same call.
    try await queue.noteUpload(request.fileID)
    _ = try await queue.enqueue(request, requireNotedUpload: true)
    try await reference.enqueue(request)
    var current: [EnqueueRound] = [], old: [EnqueueRound] = []
    for round in 0..<rounds {
        // Alternate which goes first, so neither always runs on the warmer (or busier) machine.
        for measureCurrent in round % 2 == 0 ? [false, true] : [true, false] {
            if measureCurrent {
                current.append(try await EnqueueRound.measure(redis, clients: clients, seconds: seconds) { _ = try await queue.enqueue(request, requireNotedUpload: true) })
            } else {
                old.append(try await EnqueueRound.measure(redis, clients: clients, seconds: seconds) { try await reference.enqueue(request) })
            }
        }
    }
    for (name, measured) in [("enqueue_script", current), ("enqueue_script_reference", old)] {
        report("\(name)_c\(clients)_per_s", median(measured.map(\.rate)), "jobs/s")
        report("\(name)_redis_time", median(measured.map(\.redisMicroseconds)), "us")
        report("\(name)_client_cpu", median(measured.map(\.clientMicroseconds)), "us")
    }
    let ratio = median(current.map(\.redisMicroseconds)) / max(median(old.map(\.redisMicroseconds)), 0.001)
    report("enqueue_script_redis_time_ratio", ratio, "x")
}

/// One timed run of one script: jobs/s, the script's Redis time per call and the client's CPU per job.
private struct EnqueueRound {
    var rate: Double
    var redisMicroseconds: Double
    var clientMicroseconds: Double

    static func measure(
        _ redis: RedisClient, clients: Int, seconds: Int, _ body: @escaping @Sendable () async throws -> Void
    ) async throws -> EnqueueRound {
        let before = try await scriptStats(redis)
        let cpuBefore = cpuMilliseconds()
        let (total, elapsed) = try await repeatedly(clients: clients, seconds: seconds, body)
        let cpu = cpuMilliseconds() - cpuBefore
        let after = try await scriptStats(redis)
        let calls = max(after.calls - before.calls, 1)
        return EnqueueRound(
            rate: Double(total) / elapsed, redisMicroseconds: Double(after.microseconds - before.microseconds) / Double(calls),
            clientMicroseconds: cpu * 1000 / Double(max(total, 1)))
    }
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
