import DecomposerCore
import Foundation
import OperationalRoutes
import Testing

/// What scales on what: the workers on the queue's demand gauge through KEDA, the API on CPU.
@Suite struct DeployScalingTests {
    static let demandKeysAnnotation = "decomposer.dev/demand-keys"

    @Test func kedaScalesTheWorkersOnTheDemandGaugeTheAPIExports() async throws {
        for set in try await DeployManifests.all() {
            let worker = try set.only("worker")
            let workerConfiguration = try set.configuration(of: worker.containers[0])
            let scaledObjects = set.all("ScaledObject")
            #expect(scaledObjects.count == 1, "\(set.name): one ScaledObject, for the workers")
            let scaled = try #require(scaledObjects.first)
            #expect(scaled.at("spec.scaleTargetRef.name")?.string == worker.manifest.name, "\(set.name): KEDA scales another target")
            #expect((scaled.at("spec.scaleTargetRef.kind")?.string ?? "Deployment") == worker.manifest.kind)
            #expect((0...1).contains(scaled.at("spec.minReplicaCount")?.int ?? 0), "\(set.name): deploy/README.md explains a minimum of 0 or 1")

            let triggers = scaled.at("spec.triggers")?.items ?? []
            #expect(triggers.count == 1, "\(set.name): one trigger (a second would scale on something else too)")
            let trigger = try #require(triggers.first)
            #expect(trigger["type"]?.string == "metrics-api", "\(set.name): not KEDA's metrics-api scaler")
            let metadata = trigger["metadata"]?.stringMap ?? [:]
            #expect(metadata["format"] == "prometheus")
            #expect(metadata["valueLocation"] == QueueDepthGauges.demandMetricName,
                    "\(set.name): KEDA reads \(metadata["valueLocation"] ?? "nothing"); the gauge is \(QueueDepthGauges.demandMetricName)")
            #expect(metadata["targetValue"] == String(workerConfiguration.maxConcurrentJobs),
                    "\(set.name): a worker's share of the demand must be its MAX_CONCURRENT_JOBS (\(workerConfiguration.maxConcurrentJobs))")

            // The URL reaches the API's /metrics through its Service, by a name the KEDA operator
            // (in its own namespace) resolves.
            let url = try #require(URLComponents(string: metadata["url"] ?? ""), "\(set.name): the trigger has no URL")
            let (service, port, _) = try set.apiService()
            let hostLabels = (url.host ?? "").split(separator: ".").map(String.init)
            #expect(hostLabels.first == service.name, "\(set.name): the trigger asks \(url.host ?? "?"), the API's Service is \(service.name)")
            if let namespace = service.namespace {
                #expect(hostLabels.count > 2 && hostLabels[1] == namespace && hostLabels[2] == "svc",
                        "\(set.name): the trigger's host must name the Service's namespace \(namespace) (KEDA resolves from its own)")
            }
            #expect((url.port ?? 80) == port, "\(set.name): the trigger asks port \(url.port ?? 80), the Service's is \(port)")
            #expect(url.path == HealthAndMetricsRoutes.metricsPath)

            // The keys the gauge is read from, as the ScaledObject names them for operators.
            let documented = (scaled.annotations[Self.demandKeysAnnotation] ?? "").split(separator: " ").map(String.init)
            #expect(documented == QueueKeys(prefix: workerConfiguration.keyPrefix).demandKeys,
                    "\(set.name): \(Self.demandKeysAnnotation) lists \(documented), the queue reads \(QueueKeys(prefix: workerConfiguration.keyPrefix).demandKeys)")
        }
    }

    /// The autoscalers own the replica counts: a `replicas` in the Deployment would reset them on
    /// every apply.
    @Test func theAPIScalesOnCPUAndNoDeploymentPinsItsReplicas() async throws {
        for set in try await DeployManifests.all() {
            let api = try set.only("api")
            for workload in [api, try set.only("worker")] {
                #expect(workload.manifest.at("spec.replicas") == nil, "\(set.name): \(workload.description) sets replicas")
            }
            let autoscalers = set.all("HorizontalPodAutoscaler")
            #expect(autoscalers.count == 1, "\(set.name): one HPA, for the API (KEDA makes the workers')")
            let hpa = try #require(autoscalers.first)
            #expect(hpa.at("spec.scaleTargetRef.name")?.string == api.manifest.name)
            let resources = (hpa.at("spec.metrics")?.items ?? []).compactMap { $0.at("resource.name")?.string }
            #expect(resources == ["cpu"], "\(set.name): the API scales on CPU")
            let minimum = try #require(hpa.at("spec.minReplicas")?.int)
            let budgets = set.all("PodDisruptionBudget").filter { budget in
                let selector = budget.at("spec.selector.matchLabels")?.stringMap ?? [:]
                return !selector.isEmpty && selector.allSatisfy { api.labels[$0.key] == $0.value }
            }
            #expect(budgets.count == 1, "\(set.name): one PodDisruptionBudget for the API")
            if let available = budgets.first?.at("spec.minAvailable")?.int {
                #expect(available < minimum, "\(set.name): minAvailable \(available) ≥ the HPA's minimum \(minimum) would stall every drain")
            }
        }
    }

    /// Key names written in the deploy guide or the manifests are the queue's: a renamed key
    /// shows up here, not in production.
    @Test func keyNamesInTheDeployFilesAreTheQueues() throws {
        let keys = QueueKeys(prefix: "{decomposer}")
        let known = Set([
            keys.wait, keys.active, keys.delayed, keys.marker, keys.dead, keys.stats, keys.hold, keys.operatorPause,
            keys.fleetPause,
            keys.eventsChannel, keys.cancellationsChannel, "{decomposer}:job", "{decomposer}:cost", "{decomposer}:idempotency",
        ])
        var seen = 0
        for file in DeployPaths.allDeployFiles() {
            let text = try DeployPaths.text(file)
            for match in text.matches(of: #/\{decomposer\}:[a-z_]+(?::[a-z_-]+)?/#) {
                seen += 1
                #expect(known.contains(String(match.output)), "\(file.lastPathComponent) names \(match.output), which is no key of the queue")
            }
        }
        #expect(seen > 0)
        let guide = try DeployPaths.text(DeployPaths.readme)
        for key in keys.demandKeys {
            #expect(guide.contains(key), "deploy/README.md does not say the demand gauge reads \(key)")
        }
        #expect(guide.contains(QueueDepthGauges.demandMetricName))
    }
}
