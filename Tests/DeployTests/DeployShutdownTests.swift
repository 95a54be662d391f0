import API
import Testing
@testable import decomposer

/// Kubernetes kills a pod `terminationGracePeriodSeconds` after it starts stopping it (preStop
/// included): that must cover what the code does on SIGTERM.
@Suite struct DeployShutdownTests {
    /// Room beyond the code's own bounds: the last Redis round trips, process exit.
    static let margin: Duration = .seconds(10)

    /// The API drains its HTTP connections; a stalled upload is cut by the connection idle
    /// timeout. With `--with-worker` its worker's SHUTDOWN_GRACE_SECONDS counts too. The preStop
    /// sleep comes first, so the Service stops routing before SIGTERM.
    @Test func theAPIsGracePeriodCoversPreStopAndDrain() async throws {
        for set in try await DeployManifests.all() {
            let api = try set.only("api")
            let container = api.containers[0]
            let command = try #require(try Decomposer.parseAsRoot(container.args) as? APICommand)
            let shutdownGrace = try set.configuration(of: container).shutdownGrace
            let drain = max(APIServer.connectionIdleTimeout, command.withWorker ? shutdownGrace : .zero)
            #expect(container.preStopSleep >= .seconds(5), "\(set.name): the API needs a preStop sleep so routing stops before SIGTERM")
            let needed = container.preStopSleep + drain + Self.margin
            #expect(api.terminationGracePeriod >= needed,
                    "\(set.name): the API's grace period \(api.terminationGracePeriod) is under preStop + drain + margin = \(needed)")
        }
    }

    /// A worker lets running jobs finish for SHUTDOWN_GRACE_SECONDS, then hands them back.
    @Test func theWorkersGracePeriodCoversShutdownGrace() async throws {
        for set in try await DeployManifests.all() {
            for worker in set.workloads(running: "worker") {
                let container = worker.containers[0]
                let shutdownGrace = try set.configuration(of: container).shutdownGrace
                let needed = container.preStopSleep + shutdownGrace + Self.margin
                #expect(worker.terminationGracePeriod >= needed,
                        "\(set.name): the worker's grace period \(worker.terminationGracePeriod) is under SHUTDOWN_GRACE_SECONDS + margin = \(needed)")
            }
        }
    }

    /// A sidecar that stopped with the decomposer container would take Redis away from a draining
    /// worker: only native sidecars (init containers that keep running, stopped last) are allowed.
    @Test func sidecarsOutliveTheDecomposerContainer() async throws {
        for set in try await DeployManifests.all() {
            for workload in set.workloads where workload.isDecomposer {
                #expect(workload.containers.count == 1, "\(set.name): \(workload.description) runs a second main container")
                for sidecar in workload.initContainers {
                    #expect(sidecar.restartPolicy == "Always", "\(set.name): \(workload.description)'s \(sidecar.name) is no native sidecar")
                }
            }
        }
    }
}
