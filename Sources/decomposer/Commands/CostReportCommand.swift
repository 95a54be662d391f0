import ArgumentParser
import CostTracker
import Foundation

/// `decomposer cost-report`: attributed GPU cost per UTC day.
struct CostReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-report",
        abstract: "Print the GPU cost attributed per UTC day (the last N days including today, oldest first).")

    @Option(help: "Days to show, including today (1 to COST_RETENTION_DAYS).")
    var days = 7

    @Option(help: "Output format: table, json (the /api/costs JSON) or csv.")
    var format: CostReportFormat = .table

    func run() async throws {
        let environment = try ServiceEnvironment.load(label: "cost-report")
        defer { environment.redis.shutdown() }
        let retention = environment.configuration.costRetentionDays
        guard (1...retention).contains(days) else {
            throw ValidationError("--days must be from 1 to \(retention) (COST_RETENTION_DAYS)")
        }
        try await environment.requireRedis()
        let report: CostReport
        do {
            report = CostReport(days: try await environment.costTracker.days(last: days))
        } catch {
            FileHandle.standardError.write(Data("decomposer: cannot read costs from Redis: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(report.rendered(as: format), terminator: "")
    }
}

extension CostReportFormat: ExpressibleByArgument {}
