import ArgumentParser
import DecomposerCore
import Foundation
import SystemSupport

extension JobListFilter: ExpressibleByArgument {}

/// `decomposer jobs list`: the newest jobs of a status (`JobQueue.listJobs`), one line each.
struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the newest jobs, of one status or of all (newest first).")

    @Option(help: "queued, processing, completed, failed, cancelled or dead (in the dead-letter set); all when not given.")
    var status: JobListFilter?

    @Option(help: "At most this many jobs (1–1000).")
    var limit = 50

    @Option(help: "Output format: table or json (one array).")
    var format: OperatorOutputFormat = .table

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, not \(limit)") }
    }

    func run() async throws {
        let (status, limit) = (status, limit)
        try await OperatorCommand.run(label: "jobs-list", format: format) { queue in
            let jobs = try await queue.listJobs(status, limit: limit)
            let now = try await queue.now()
            let json: [[String: Any]] = jobs.map { job in
                [
                    "id": job.id.lowercasedString, "status": job.status.rawValue, "progress": job.progress,
                    "attempts": job.attempts, "created_at": ISO8601DateFormatter().string(from: job.createdAt),
                    "updated_at": ISO8601DateFormatter().string(from: job.updatedAt),
                    "age_seconds": Int(now.timeIntervalSince(job.createdAt).rounded(.down)),
                    "error_code": job.errorCode ?? NSNull(), "error_message": job.errorMessage ?? NSNull(),
                    "in_dead_letters": job.inDeadLetters,
                ]
            }
            guard !jobs.isEmpty else { return (json, "no jobs") }
            let lines = jobs.map { job in
                [
                    job.id.lowercasedString, job.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                    "\(job.progress)%".padding(toLength: 4, withPad: " ", startingAt: 0),
                    "attempts \(job.attempts)", Self.age(now.timeIntervalSince(job.createdAt)).padding(toLength: 4, withPad: " ", startingAt: 0),
                    job.errorCode ?? "-",
                ].joined(separator: " ")
            }
            return (json, lines.joined(separator: "\n"))
        }
    }

    /// `45s`, `12m`, `3h`, `6d`: the largest whole unit.
    static func age(_ seconds: TimeInterval) -> String {
        let whole = max(Int(seconds), 0)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" }
        if whole < 86_400 { return "\(whole / 3600)h" }
        return "\(whole / 86_400)d"
    }
}
