import ArgumentParser

/// `decomposer <subcommand>`: every part of the service is one subcommand of
/// one binary, so a deployment ships a single executable.
@main
struct Decomposer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decomposer",
        abstract: "Poster layer-decomposition service.",
        discussion: "Configuration comes from environment variables and ./.env (the environment wins); see .env.example.",
        subcommands: [APICommand.self, WorkerCommand.self, EndpointCommand.self, CostReportCommand.self, SubmitCommand.self, DoctorCommand.self, CleanupCommand.self]
    )
}
