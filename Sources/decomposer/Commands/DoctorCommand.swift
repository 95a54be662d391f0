import ArgumentParser
import CurlHTTP
import DecomposerCore
import Foundation
import Redis
import Storage
import SystemSupport

/// Checks configuration, Redis and the storage the way the services will at
/// start-up, and shows the queue. Exit 2: bad configuration; 1: Redis
/// unreachable, or the storage cannot be read and written (one line says why).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check configuration, Redis and the storage, load the queue scripts, show the queue.")

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
        let http = CurlHTTPClient(maxConnections: 2)
        defer { http.shutdown() }
        let storage = try environment.storage(http: http)
        if let problem = await storage.problem() {
            FileHandle.standardError.write(Data("decomposer: \(problem)\n".utf8))
            throw ExitCode(1)
        }
        print("storage  ok  \(storage.summary)")
        let counts = try await environment.queue.counts()
        print("queue    waiting \(counts.waiting), retrying \(counts.delayed), running \(counts.active), dead letters \(counts.dead)")
        let alerts = try await environment.queue.pendingCostAlerts()
        print(Self.alertsLine(alerts, now: try await environment.queue.now()))
    }

    /// The cost alerts still in the outbox (not yet delivered: the receiver is down or refusing
    /// them for now, or no process delivers), and how long the oldest has waited.
    static func alertsLine(_ alerts: [CostAlert], now: Date) -> String {
        guard let oldest = alerts.first else { return "alerts   pending 0" }
        let age = max(0, now.millisecondsSince1970 - oldest.createdMilliseconds) / 1000
        return "alerts   pending \(alerts.count), oldest \(oldest.id) raised \(Self.readable(seconds: age)) ago, "
            + "\(oldest.attempts) delivery attempts"
    }

    /// `45 s`, `12 min`, `3 h 05 min`.
    static func readable(seconds: Int64) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7_200 { return "\(seconds / 60) min" }
        let minutes = (seconds / 60) % 60
        return "\(seconds / 3_600) h \(minutes < 10 ? "0" : "")\(minutes) min"
    }
}
