import DecomposerCore
import OperationalRoutes
import Testing
@testable import decomposer

/// Probes ask the routes the processes serve (the paths HealthAndMetricsRoutes registers), on the
/// ports the configuration makes them listen on.
@Suite struct DeployProbeTests {
    @Test func theAPIIsProbedOnItsRoutesAndPort() async throws {
        for set in try await DeployManifests.all() {
            let api = try set.only("api")
            let container = api.containers[0]
            let configuration = try set.configuration(of: container)
            #expect(listensBeyondLoopback(configuration.host), "\(set.name): the API listens on \(configuration.host) only")
            #expect(container.ports.values.contains(configuration.port), "\(set.name): the API's container port is not its PORT \(configuration.port)")
            expectProbes(container, port: configuration.port, in: "\(set.name): the API")
        }
    }

    /// A worker serves its probes only with WORKER_PORT set.
    @Test func theWorkerIsProbedOnItsHealthPort() async throws {
        for set in try await DeployManifests.all() {
            let worker = try set.only("worker")
            let container = worker.containers[0]
            let configuration = try set.configuration(of: container)
            let port = try #require(configuration.workerPort, "\(set.name): WORKER_PORT is unset, so the worker serves no probes")
            #expect(listensBeyondLoopback(configuration.host), "\(set.name): the worker listens on \(configuration.host) only")
            #expect(container.ports.values.contains(port), "\(set.name): the worker's container port is not its WORKER_PORT \(port)")
            expectProbes(container, port: port, in: "\(set.name): the worker")
        }
    }

    /// The demo's local endpoint, on the port its flags give it.
    @Test func theLocalEndpointIsProbedOnItsPort() async throws {
        for set in try await DeployManifests.all() {
            for endpoint in set.workloads(running: "endpoint") {
                let container = endpoint.containers[0]
                let command = try #require(try Decomposer.parseAsRoot(container.args) as? EndpointCommand)
                let port = try #require(command.port, "\(set.name): give the endpoint --port (its default follows PORT)")
                #expect(listensBeyondLoopback(command.host ?? "127.0.0.1"), "\(set.name): the endpoint listens on loopback only")
                for kind in ["readinessProbe", "livenessProbe"] {
                    let probe = try #require(container.httpProbe(kind), "\(set.name): the endpoint has no HTTP \(kind)")
                    #expect(probe.path == HealthAndMetricsRoutes.livenessPath && probe.port == port,
                            "\(set.name): the endpoint's \(kind) asks \(probe.path) on \(probe.port ?? 0), it serves /healthz on \(port)")
                }
            }
        }
    }

    private func expectProbes(_ container: Container, port: Int, in place: String) {
        let expected = [("readinessProbe", HealthAndMetricsRoutes.readinessPath), ("livenessProbe", HealthAndMetricsRoutes.livenessPath)]
        for (kind, path) in expected {
            guard let probe = container.httpProbe(kind) else {
                Issue.record("\(place) has no HTTP \(kind)")
                continue
            }
            #expect(probe.path == path, "\(place)'s \(kind) asks \(probe.path); the route is \(path)")
            #expect(probe.port == port, "\(place)'s \(kind) asks port \(probe.port.map(String.init) ?? "?"); it listens on \(port)")
        }
    }
}
