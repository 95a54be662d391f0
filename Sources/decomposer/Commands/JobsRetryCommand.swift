import ArgumentParser
import CurlHTTP
import DecomposerCore
import Foundation
import Storage
import SystemSupport

/// `decomposer jobs retry ID…` and `jobs retry --dead [--since DURATION] [--error CODE]`: failed
/// jobs back to the queue with a fresh allowance (`JobRetrier`). Exit 1 when any job named is
/// unknown, not failed or has lost its upload (every job's result is printed first).
struct JobsRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue failed jobs again, by id or every matching dead letter.")

    @Argument(help: "The jobs' ids (or --dead).")
    var jobs: [JobIDArgument] = []

    @Flag(help: "Retry the dead letters (failed jobs) instead of jobs by id.")
    var dead = false

    @Option(help: "With --dead: only those that failed within this long (30m, 2h, 7d).")
    var since: OperatorDuration?

    @Option(help: "With --dead: only those that failed with this error code (gpu_rate_limited, …).")
    var error: String?

    @Option(help: "Why, kept in each job's history.")
    var reason = "from the command line"

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func validate() throws {
        if dead {
            guard jobs.isEmpty else { throw ValidationError("give job ids or --dead, not both") }
        } else {
            guard !jobs.isEmpty else { throw ValidationError("name at least one job id, or --dead") }
            guard since == nil, error == nil else { throw ValidationError("--since and --error select dead letters: add --dead") }
        }
        if let error, error.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--error must not be empty") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let (ids, dead, age, code, reason, format) = (jobs.map(\.id), dead, since?.duration, error, reason, format)
        try await OperatorCommand.run(environment: "jobs-retry", format: format) { environment in
            let http = CurlHTTPClient(maxConnections: 2)
            defer { http.shutdown() }
            let retrier = JobRetrier(queue: environment.queue, storage: try environment.storage(http: http))
            let results: [JobRetryResult]
            if dead {
                var since: Date?
                if let age {
                    since = Date(millisecondsSince1970: try await environment.queue.now().millisecondsSince1970 - age.milliseconds)
                }
                results = try await retrier.retryDead(since: since, errorCode: code, reason: reason)
            } else {
                results = try await retrier.retry(ids, reason: reason)
            }
            let json: [[String: Any]] = results.map { result in
                var entry: [String: Any] = ["id": result.id.lowercasedString, "result": Self.tag(result.outcome), "message": result.summary]
                if case .queued(let attempts) = result.outcome { entry["attempts"] = attempts }
                if case .notRetryable(let status) = result.outcome { entry["status"] = status.rawValue }
                return entry
            }
            let text = results.isEmpty
                ? "no dead letters matched"
                : results.map { "\($0.id.lowercasedString) \($0.summary)" }.joined(separator: "\n")
            let refused = results.filter { !$0.isQueued }
            guard refused.isEmpty else {
                let what = refused.count == 1 ? "job \(refused[0].id.lowercasedString): \(refused[0].summary)" : "\(refused.count) jobs were not retried"
                throw OperatorRefusal(description: what, output: (text, try OperatorCommand.jsonText(json)))
            }
            return (json, text)
        }
    }

    private static func tag(_ outcome: JobRetryResult.Outcome) -> String {
        switch outcome {
        case .queued: return "queued"
        case .unknown: return "unknown"
        case .notRetryable: return "not_retryable"
        case .uploadMissing: return "upload_missing"
        }
    }
}
