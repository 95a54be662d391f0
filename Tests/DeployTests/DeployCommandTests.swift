import DecomposerCore
import Testing
@testable import decomposer

/// Every container runs the one decomposer image with a subcommand and flags the binary accepts:
/// the arguments are parsed here by the binary's own command tree (and its validation).
@Suite struct DeployCommandTests {
    @Test func everyContainerRunsARealSubcommandOfTheImage() async throws {
        for set in try await DeployManifests.all() {
            for workload in set.workloads where workload.isDecomposer {
                for container in workload.containers {
                    let place = "\(set.name): \(workload.description), container \(container.name)"
                    #expect(container.image == set.decomposerImage, "\(place) runs \(container.image), not \(set.decomposerImage)")
                    #expect(container.command == nil || container.command == ["decomposer"],
                            "\(place) replaces the image's entrypoint (decomposer)")
                    #expect(!container.args.isEmpty, "\(place) gives no subcommand")
                    do {
                        _ = try Decomposer.parseAsRoot(container.args)
                    } catch {
                        Issue.record("\(place): `decomposer \(container.args.joined(separator: " "))` is refused: \(Decomposer.message(for: error))")
                    }
                }
            }
        }
    }

    @Test func theAPITheWorkersAndBothCronJobsAreThere() async throws {
        for set in try await DeployManifests.all() {
            for (subcommand, kind) in [("api", "Deployment"), ("worker", "Deployment"), ("cost-report", "CronJob"), ("cleanup", "CronJob")] {
                let found = set.workloads(running: subcommand)
                #expect(found.count == 1 && found.first?.manifest.kind == kind, "\(set.name): expected one \(kind) running `\(subcommand)`")
            }
        }
    }

    /// The report asks no more days than Redis keeps; cleanup never removes the files of a job
    /// Redis still lists (a finished job stays JOB_RETENTION_DAYS, and its layers must still serve).
    @Test func theCronJobsFlagsFitTheConfiguration() async throws {
        for set in try await DeployManifests.all() {
            let report = try set.only("cost-report")
            let reportCommand = try #require(try Decomposer.parseAsRoot(report.containers[0].args) as? CostReportCommand)
            let retentionDays = try set.configuration(of: report.containers[0]).costRetentionDays
            #expect((1...retentionDays).contains(reportCommand.days), "\(set.name): cost-report --days \(reportCommand.days) beyond COST_RETENTION_DAYS")

            let cleanup = try set.only("cleanup")
            let cleanupCommand = try #require(try Decomposer.parseAsRoot(cleanup.containers[0].args) as? CleanupCommand)
            let age = try #require(AgeParser.parse(cleanupCommand.olderThan))
            let retention = try set.configuration(of: cleanup.containers[0]).queue.retention
            #expect(age >= retention, "\(set.name): cleanup --older-than \(cleanupCommand.olderThan) removes layers of jobs Redis still keeps (\(retention))")
            #expect(!cleanupCommand.dryRun)
            for cronJob in [report, cleanup] {
                #expect(cronJob.manifest.at("spec.schedule")?.string?.isEmpty == false)
                #expect(cronJob.manifest.at("spec.concurrencyPolicy")?.string == "Forbid", "\(set.name): \(cronJob.description) may overlap itself")
            }
        }
    }
}
