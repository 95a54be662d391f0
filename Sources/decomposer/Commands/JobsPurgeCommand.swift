import ArgumentParser
import DecomposerCore
import Foundation
import SystemSupport

/// `decomposer jobs purge --dead [--older-than DURATION]`: removes dead letters and their jobs.
struct JobsPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Remove dead letters (failed jobs) and their records for good.")

    @Flag(help: "Purge the dead-letter set (required: the only kind purged).")
    var dead = false

    @Option(help: "Only those that failed longer ago than this (30m, 2h, 7d).")
    var olderThan: OperatorDuration?

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func validate() throws {
        guard dead else { throw ValidationError("say what to purge: --dead") }
    }

    func run() async throws {
        let age = olderThan?.duration
        try await OperatorCommand.run(label: "jobs-purge", format: format) { queue in
            var cutoff: Date?
            if let age { cutoff = Date(millisecondsSince1970: try await queue.now().millisecondsSince1970 - age.milliseconds) }
            let purged = try await queue.purgeDead(olderThan: cutoff)
            return (["purged": purged], "Purged \(purged) dead letter\(purged == 1 ? "" : "s")")
        }
    }
}
