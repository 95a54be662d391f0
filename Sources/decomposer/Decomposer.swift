import ArgumentParser
import Foundation

/// `decomposer <subcommand>`: every part of the service is one subcommand of
/// one binary, so a deployment ships a single executable.
@main
struct Decomposer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decomposer",
        abstract: "Poster layer-decomposition service.",
        discussion: "Configuration comes from environment variables and ./.env (the environment wins); see .env.example.",
        subcommands: [
            APICommand.self, WorkerCommand.self, EndpointCommand.self, CostReportCommand.self, SubmitCommand.self,
            DoctorCommand.self, CleanupCommand.self, QueueCommand.self, JobsCommand.self,
        ]
    )

    /// ArgumentParser's own entry point, except that bad arguments exit 2 like bad configuration
    /// (ArgumentParser's default is 64): every command exits 0 (done), 1 (refused, Redis
    /// unreachable) or 2 (bad arguments or configuration), which scripts can rely on.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            exit(withError: ExitCode(2))
        }
    }
}
