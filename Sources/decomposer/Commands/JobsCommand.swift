import ArgumentParser
import DecomposerCore
import Foundation
import SystemSupport

/// `decomposer jobs list|show|retry|cancel|purge`: the newest jobs of a status, one job's whole
/// record and history, bringing failed jobs back, cancelling jobs, removing dead letters.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show, retry, cancel or purge jobs.",
        subcommands: [
            JobsListCommand.self, JobsShowCommand.self, JobsRetryCommand.self, JobsCancelCommand.self, JobsPurgeCommand.self,
        ])
}

/// A job id given on the command line (`jobs show`, `jobs retry`, `jobs cancel`): a UUID, else exit 2 naming it.
struct JobIDArgument: ExpressibleByArgument {
    let id: UUID

    init?(argument: String) {
        guard let id = UUID(spelling: argument) else { return nil }
        self.id = id
    }
}

struct JobsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a job's every field and its event history (exit 1 when unknown).")

    @Argument(help: "The job's id.")
    var job: JobIDArgument

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func run() async throws {
        let id = job.id
        try await OperatorCommand.run(label: "jobs-show", format: format) { queue in
            guard let fields = try await queue.storedFields(of: id) else { throw OperatorRefusal.unknownJob(id) }
            let history = try await queue.events(of: id, after: 0)
            let events: [[String: Any]] = history.map {
                ["version": $0.version, "status": $0.status.rawValue, "progress": $0.progress, "message": $0.message,
                 "updated_at": ISO8601DateFormatter().string(from: $0.updatedAt)]
            }
            var lines = fields.sorted { $0.key < $1.key }.map { "\($0.key.padding(toLength: 16, withPad: " ", startingAt: 0)) \($0.value)" }
            lines.append("history")
            for event in history {
                lines.append("  v\(event.version) \(ISO8601DateFormatter().string(from: event.updatedAt)) \(event.status.rawValue) \(event.progress)% \(event.message)")
            }
            let webhook = try await queue.webhookState(of: id)
            if let webhook { lines.append("webhook          \(webhook.summary)") }
            return (["job": fields, "events": events, "webhook": webhook?.jsonObject ?? NSNull()], lines.joined(separator: "\n"))
        }
    }
}

struct JobsCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel queued or running jobs (exit 1 when an id is unknown).")

    @Argument(help: "The jobs' ids.")
    var jobs: [JobIDArgument]

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func validate() throws {
        guard !jobs.isEmpty else { throw ValidationError("name at least one job id") }
    }

    func run() async throws {
        let ids = jobs.map(\.id)
        try await OperatorCommand.run(label: "jobs-cancel", format: format) { queue in
            var results: [String: String] = [:]
            for id in ids {
                switch try await queue.cancel(id) {
                case .cancelled(let was): results[id.lowercasedString] = "cancelled (was \(was.rawValue))"
                case .alreadyFinished(let status): results[id.lowercasedString] = "already \(status.rawValue)"
                case .notFound: results[id.lowercasedString] = "unknown"
                }
            }
            if let unknown = ids.first(where: { results[$0.lowercasedString] == "unknown" }) {
                for id in ids where results[id.lowercasedString] != "unknown" {
                    FileHandle.standardError.write(Data("\(id.lowercasedString) \(results[id.lowercasedString] ?? "")\n".utf8))
                }
                throw OperatorRefusal.unknownJob(unknown)
            }
            return (results, ids.map { "\($0.lowercasedString) \(results[$0.lowercasedString] ?? "")" }.joined(separator: "\n"))
        }
    }
}
