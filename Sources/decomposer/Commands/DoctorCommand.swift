import ArgumentParser
import DecomposerCore
import Redis

/// Checks configuration and Redis the way the services will at start-up, and
/// shows the queue. Exit 2: bad configuration; 1: Redis unreachable.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check configuration and Redis, load the queue scripts, show the queue.")

    func run() async throws {
        let environment = try ServiceEnvironment.load(label: "doctor")
        defer { environment.redis.shutdown() }
        let configuration = environment.configuration
        print("config   ok  REDIS_URL=\(configuration.redis.redactedDescription) prefix=\(configuration.keyPrefix)")
        try await environment.requireRedis()
        let info = (try? await environment.redis.send("INFO", "server").string) ?? ""
        let version = info.split(separator: "\r\n").first { $0.hasPrefix("redis_version:") }?.dropFirst(14) ?? "?"
        print("redis    ok  version \(version)")
        if let warning = await RedisEvictionCheck.warning(environment.redis) { print("warning  \(warning)") }
        try await environment.queue.loadScripts()
        print("scripts  ok  \(JobQueue.scripts.count) loaded")
        let counts = try await environment.queue.counts()
        print("queue    waiting \(counts.waiting), retrying \(counts.delayed), running \(counts.active), dead letters \(counts.dead)")
    }
}
