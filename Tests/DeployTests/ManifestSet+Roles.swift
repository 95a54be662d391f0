import DecomposerCore
import TestSupport

extension ManifestSet {
    /// The one workload whose decomposer container runs `subcommand` (the API, the workers, …).
    func only(_ subcommand: String) throws -> PodWorkload {
        let found = workloads(running: subcommand)
        guard found.count == 1 else {
            throw TestSupportError("\(name): \(found.count) workloads run `decomposer \(subcommand)`, expected one")
        }
        return found[0]
    }

    /// The configuration a decomposer container starts with, read exactly as the binary reads its
    /// environment (a bad value fails here as it would stop the container).
    func configuration(of container: Container) throws -> DecomposerConfiguration {
        try DecomposerConfiguration(ConfigurationValues(environment: environment(of: container)))
    }

    /// The Service in front of the API's pods, and the port of it that reaches the API's port.
    func apiService() throws -> (service: Manifest, port: Int, portName: String?) {
        let api = try only("api")
        let container = api.containers[0]
        let apiPort = try configuration(of: container).port
        for service in all("Service") {
            let selector = service.at("spec.selector")?.stringMap ?? [:]
            guard !selector.isEmpty, selector.allSatisfy({ api.labels[$0.key] == $0.value }) else { continue }
            for port in service.at("spec.ports")?.items ?? [] where container.resolve(port: port["targetPort"]) == apiPort {
                if let number = port["port"]?.int { return (service, number, port["name"]?.string) }
            }
        }
        throw TestSupportError("\(name): no Service selects the API's pods with a port to its PORT \(apiPort)")
    }
}

/// Pods are probed over their pod IP, and an ingress or a scaler reaches them the same way: a
/// process listening on loopback only would answer none of them.
func listensBeyondLoopback(_ host: String) -> Bool {
    !(host == "localhost" || host == "::1" || host.hasPrefix("127."))
}
