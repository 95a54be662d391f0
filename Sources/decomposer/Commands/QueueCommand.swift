import ArgumentParser
import DecomposerCore
import Foundation

/// `decomposer queue pause|resume|status`: the operator's fleet-wide pause, enforced by the claim
/// script like the budget hold (running jobs finish; queued jobs show the message).
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Pause or resume claiming for the whole fleet, or show what stops it.",
        subcommands: [QueuePauseCommand.self, QueueResumeCommand.self, QueueStatusCommand.self])
}

/// How an operator command prints: a readable block, or one JSON object for scripts.
enum OperatorOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct QueuePauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop every worker claiming jobs until `queue resume` (running jobs finish).")

    @Option(help: "What queued jobs show while paused.")
    var message = "Paused by an operator"

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func validate() throws {
        guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--message must not be empty")
        }
    }

    func run() async throws {
        try await OperatorCommand.run(label: "queue-pause", format: format) { queue in
            let annotated = try await queue.pauseQueue(message: message)
            return (["paused": true, "message": message, "queued_jobs_annotated": annotated],
                    "Queue paused: \(message) (\(annotated) queued jobs show it)")
        }
    }
}

struct QueueResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Lift the operator's pause (never a budget hold) and wake idle workers.")

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func run() async throws {
        try await OperatorCommand.run(label: "queue-resume", format: format) { queue in
            let outcome = try await queue.resumeQueue()
            var text = outcome.wasPaused ? "Queue resumed (\(outcome.annotated) queued jobs)" : "The queue was not paused"
            if outcome.stillHeld { text += "; the daily budget hold still stops claims until it ends" }
            return (["resumed": outcome.wasPaused, "budget_hold": outcome.stillHeld], text)
        }
    }
}

struct QueueStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the operator's pause, the budget hold and the queue's counts.")

    @Option(help: "Output format: table or json.")
    var format: OperatorOutputFormat = .table

    func run() async throws {
        try await OperatorCommand.run(label: "queue-status", format: format) { queue in
            let state = try await queue.pauseState()
            let counts = try await queue.counts()
            let json: [String: Any] = [
                "operator_pause": state.operatorMessage.map { ["message": $0] as Any } ?? NSNull(),
                "budget_hold": state.holdMessage.map {
                    ["message": $0, "remaining_seconds": (state.holdRemaining?.milliseconds ?? 0) / 1000] as Any
                } ?? NSNull(),
                "claimable": counts.claimable,
                "counts": ["waiting": counts.waiting, "delayed": counts.delayed, "active": counts.active, "dead": counts.dead],
            ]
            let lines = [
                "operator pause  " + (state.operatorMessage.map { "yes: \($0)" } ?? "no"),
                "budget hold     " + (state.holdMessage.map { "yes: \($0)" } ?? "no"),
                "claimable       " + (counts.claimable ? "yes" : "no"),
                "jobs            waiting \(counts.waiting), delayed \(counts.delayed), running \(counts.active), dead \(counts.dead)",
            ]
            return (json, lines.joined(separator: "\n"))
        }
    }
}
