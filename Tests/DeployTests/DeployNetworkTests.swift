import DecomposerCore
import Foundation
import OperationalRoutes
import Testing
@testable import API

/// The way in: an Ingress whose timeouts keep WebSockets open and whose body limit is the API's,
/// and NetworkPolicies under which only the API takes outside traffic and only the queue's users
/// reach Redis.
@Suite struct DeployNetworkTests {
    @Test func theIngressKeepsWebSocketsOpenAndTakesTheAPIsUploads() async throws {
        for set in try await DeployManifests.all() {
            let api = try set.only("api")
            let configuration = try set.configuration(of: api.containers[0])
            let ping = APISettings(configuration).webSocketPingInterval
            let (service, port, portName) = try set.apiService()
            let ingresses = set.all("Ingress")
            #expect(ingresses.count == 1, "\(set.name): one Ingress, for the API")
            for ingress in ingresses {
                let backends = (ingress.at("spec.rules")?.items ?? []).flatMap { $0.at("http.paths")?.items ?? [] }
                    .compactMap { $0.at("backend.service") } + [ingress.at("spec.defaultBackend.service")].compactMap { $0 }
                #expect(!backends.isEmpty)
                for backend in backends {
                    #expect(backend["name"]?.string == service.name, "\(set.name): the Ingress routes to \(backend["name"]?.string ?? "?")")
                    let named = backend.at("port.name")?.string
                    #expect(named.map { $0 == portName } ?? (backend.at("port.number")?.int == port), "\(set.name): the Ingress uses another port of \(service.name)")
                }
                let annotations = ingress.annotations
                if ingress.at("spec.ingressClassName")?.string == "nginx" {
                    for timeout in ["proxy-read-timeout", "proxy-send-timeout"] {
                        let seconds = try #require(annotations["nginx.ingress.kubernetes.io/\(timeout)"].flatMap { Int($0) },
                                                   "\(set.name): no \(timeout): nginx closes a WebSocket idle for 60 s")
                        #expect(.seconds(seconds) >= ping * 2, "\(set.name): \(timeout) \(seconds) s is under two of the API's \(ping) pings")
                    }
                    let body = try #require(annotations["nginx.ingress.kubernetes.io/proxy-body-size"].flatMap(nginxSize))
                    #expect(body == configuration.maxUploadBytes + UploadRoutes.framingAllowance,
                            "\(set.name): proxy-body-size is \(body) bytes; MAX_UPLOAD_BYTES plus the multipart allowance is \(configuration.maxUploadBytes + UploadRoutes.framingAllowance)")
                } else if annotations["kubernetes.io/ingress.class"] == "gce" {
                    try expectBackendConfig(in: set, service: service, configuration: configuration)
                } else {
                    Issue.record("\(set.name): the Ingress is neither nginx nor GKE's; its WebSocket timeouts are unchecked")
                }
            }
        }
    }

    /// The Ingress routes what a browser or client asks for and nothing else: health and metrics
    /// (queue sizes, today's cost) stay inside the cluster.
    @Test func theIngressRoutesThePublicRoutesAndNotTheOperationalOnes() async throws {
        let id = "0b6c3a52-9f7e-4f0e-8a6f-3d7f4c1f2a10"
        let publicPaths = ["/", "/api/upload", "/api/decompose", "/api/jobs/\(id)", "/api/costs", "/ws/status/\(id)",
                      "/results/\(id)/layer_0.png", "/openapi.yaml"]
        let operationalPaths = [HealthAndMetricsRoutes.livenessPath, HealthAndMetricsRoutes.readinessPath, HealthAndMetricsRoutes.metricsPath]
        for set in try await DeployManifests.all() {
            let rules = set.all("Ingress").flatMap { ($0.at("spec.rules")?.items ?? []).flatMap { $0.at("http.paths")?.items ?? [] } }
            #expect(set.all("Ingress").allSatisfy { $0.at("spec.defaultBackend") == nil }, "\(set.name): a default backend routes every path")
            func routed(_ path: String) -> Bool {
                rules.contains { rule in
                    guard let prefix = rule["path"]?.string else { return false }
                    switch rule["pathType"]?.string {
                    case "Exact": return path == prefix
                    case "Prefix": return prefix == "/" || path == prefix || path.hasPrefix(prefix + "/")
                    default: return true  // ImplementationSpecific: cannot tell, so counted as routed
                    }
                }
            }
            for path in publicPaths { #expect(routed(path), "\(set.name): the Ingress does not route \(path)") }
            for path in operationalPaths { #expect(!routed(path), "\(set.name): the Ingress exposes \(path) outside the cluster") }
        }
    }

    /// GKE's load balancer closes a WebSocket at the backend timeout whatever its traffic.
    private func expectBackendConfig(in set: ManifestSet, service: Manifest, configuration: DecomposerConfiguration) throws {
        let reference = try #require(service.annotations["cloud.google.com/backend-config"], "\(set.name): the API's Service names no BackendConfig")
        let names = try JSONSerialization.jsonObject(with: Data(reference.utf8)) as? [String: Any]
        let name = try #require(names?["default"] as? String)
        let backend = try #require(set.first("BackendConfig", named: name), "\(set.name): BackendConfig \(name) is missing")
        let timeout = try #require(backend.at("spec.timeoutSec")?.int)
        #expect(.seconds(timeout) >= configuration.jobDeadline, "\(set.name): a watcher is cut after \(timeout) s, before a job's deadline")
        #expect(backend.at("spec.healthCheck.requestPath")?.string == HealthAndMetricsRoutes.readinessPath)
        #expect(backend.at("spec.healthCheck.port")?.int == configuration.port)
        #expect(service.annotations["cloud.google.com/neg"]?.contains("\"ingress\": true") == true, "\(set.name): no container-native load balancing")
    }

    @Test func onlyTheAPITakesOutsideTrafficAndOnlyTheQueuesUsersReachRedis() async throws {
        for set in try await DeployManifests.all() {
            let policies = set.all("NetworkPolicy").map(IngressPolicy.init).filter(\.restrictsIngress)
            let api = try set.only("api")
            for workload in set.workloads {
                let guarding = policies.filter { $0.selects.matches(workload.labels) }
                #expect(!guarding.isEmpty, "\(set.name): no NetworkPolicy guards \(workload.description)")
                let isAPI = workload.manifest.name == api.manifest.name
                for policy in guarding where policy.admitsOutsiders && !isAPI {
                    Issue.record("\(set.name): \(policy.manifest.description) lets outside traffic into \(workload.description)")
                }
            }
            // KEDA reads the API's /metrics from its own namespace.
            let apiPeers = policies.filter { $0.selects.matches(api.labels) }.flatMap(\.peers)
            #expect(apiPeers.contains { $0.at("namespaceSelector.matchLabels")?.stringMap["kubernetes.io/metadata.name"] == "keda" },
                    "\(set.name): KEDA's namespace cannot reach the API's /metrics")
            // Redis in the cluster (the demo): exactly the pods that use the queue may reach it.
            for redis in set.workloads where redis.labels["app.kubernetes.io/name"] == "redis" {
                let admitted = policies.filter { $0.selects.matches(redis.labels) }.flatMap(\.peers)
                    .map { LabelSelector(tree: $0["podSelector"] ?? .mapping([:])) }
                let reaching = Set(set.workloads.filter { pod in admitted.contains { $0.matches(pod.labels) } }.map(\.manifest.name))
                let users = Set(set.workloads.filter { ["api", "worker", "cost-report", "cleanup"].contains($0.subcommand ?? "") }.map(\.manifest.name))
                #expect(reaching == users, "\(set.name): Redis admits \(reaching.sorted()), the queue's users are \(users.sorted())")
            }
        }
    }
}

/// nginx's size syntax: bytes, or k / m / g (powers of 1024).
func nginxSize(_ text: String) -> Int? {
    let units: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
    if let unit = text.last.flatMap({ units[Character($0.lowercased())] }) { return Int(text.dropLast()).map { $0 * unit } }
    return Int(text)
}
