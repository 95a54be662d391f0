import ArgumentParser
import CurlHTTP
import DecomposerCore
import Storage

/// Removes old uploads and layers (files, or objects in the bucket); jobs
/// themselves expire from Redis after JOB_RETENTION_DAYS.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup", abstract: "Remove uploads and results older than an age (never those of unfinished jobs).")

    @Option(name: .customLong("older-than"), help: "Age such as 7d, 12h, 30m (a bare number is days).")
    var olderThan: String = "7d"

    @Flag(name: .customLong("dry-run"), help: "List what would be removed without removing it.")
    var dryRun = false

    func validate() throws {
        guard AgeParser.parse(olderThan) != nil else {
            throw ValidationError("--older-than must be an age like 7d, 12h, 30m or 45s (got '\(olderThan)')")
        }
    }

    func run() async throws {
        let environment = try ServiceEnvironment.load(label: "cleanup")
        defer { environment.redis.shutdown() }
        try await environment.requireRedis()
        let http = CurlHTTPClient(maxConnections: 4)
        defer { http.shutdown() }
        let cleanup = StorageCleanup(queue: environment.queue, storage: try environment.storage(http: http))
        let report = try await cleanup.run(olderThan: AgeParser.parse(olderThan) ?? .zero, dryRun: dryRun)
        let verb = dryRun ? "would remove" : "removed"
        print("\(verb) \(report.removedUploads.count) uploads and \(report.removedResults.count) result sets (\(report.bytesFreed / 1024) KiB); kept \(report.keptInUse.count) still in use")
    }
}
