import DecomposerCore
import Foundation
import Testing

/// Every environment variable the manifests give the decomposer is a key the code reads, with a
/// value it accepts.
@Suite struct DeployEnvironmentTests {
    @Test func everyEnvironmentNameIsAConfigurationKey() async throws {
        let keys = try ConfigurationKeys.documented()
        #expect(keys.isSuperset(of: ["REDIS_URL", "WORKER_PORT", "API_KEY", "STORAGE_BACKEND"]), "commented keys count too")
        for set in try await DeployManifests.all() {
            for workload in set.workloads where workload.isDecomposer {
                for container in workload.containers {
                    let place = "\(set.name): \(workload.description), container \(container.name)"
                    for variable in container.env {
                        #expect(keys.contains(variable.name), "\(place) sets \(variable.name), which is no configuration key")
                    }
                    for source in container.envFrom {
                        let data = try #require(
                            set.environmentData(source), "\(place) reads \(source.kind) \(source.name), which is not there")
                        for key in data.keys.sorted() {
                            #expect(keys.contains(key), "\(place) gets \(key) from \(source.kind) \(source.name), which is no configuration key")
                        }
                    }
                }
            }
        }
    }

    /// The generators' env files of the base and every overlay, also where no kubectl renders them.
    @Test func everyGeneratorFileHoldsConfigurationKeysOnly() throws {
        let keys = try ConfigurationKeys.documented()
        let files = DeployPaths.allDeployFiles().filter { $0.pathExtension == "env" }
        #expect(files.count >= 4, "base/config.env, base/secrets.env and the overlays' own")
        for file in files {
            for key in try ConfigurationKeys.keys(ofEnvironmentFile: file) {
                #expect(keys.contains(key), "\(file.path) sets \(key), which is no configuration key")
            }
        }
    }

    /// What each container would read at start-up is valid; what a worker needs to start at all is
    /// there; a folder-backed storage is on a volume the API and the workers share.
    @Test func everyDecomposerContainerStartsWithAValidConfiguration() async throws {
        for set in try await DeployManifests.all() {
            for workload in set.workloads where workload.isDecomposer && workload.subcommand != "endpoint" {
                let container = workload.containers[0]
                let configuration: DecomposerConfiguration
                do {
                    configuration = try set.configuration(of: container)
                } catch {
                    Issue.record("\(set.name): \(workload.description) would stop at start-up: \(error)")
                    continue
                }
                guard set.name != "base" else { continue }  // the base leaves Redis and storage to the overlays
                #expect(configuration.redis.host != "127.0.0.1" || !workload.initContainers.isEmpty,
                        "\(set.name): \(workload.description) points REDIS_URL at loopback with no sidecar there")
                if workload.subcommand == "worker" {
                    #expect(configuration.vertex.projectID != nil && configuration.vertex.endpointID != nil,
                            "\(set.name): the worker exits 2 without VERTEX_AI_PROJECT_ID and VERTEX_AI_ENDPOINT_ID")
                }
                if configuration.storage == .filesystem, workload.subcommand != "cost-report" {
                    for folder in [configuration.uploadsDirectory.path, configuration.resultsDirectory.path] {
                        #expect(workload.sharedVolumePaths(of: container).contains { folder.hasPrefix($0 + "/") },
                                "\(set.name): \(workload.description) keeps \(folder) off any PersistentVolumeClaim")
                    }
                }
            }
        }
    }
}

extension PodWorkload {
    /// Where a container mounts a PersistentVolumeClaim (what other pods can see too).
    func sharedVolumePaths(of container: Container) -> [String] {
        let claims = Set((spec["volumes"]?.items ?? []).filter { $0["persistentVolumeClaim"] != nil }.compactMap { $0["name"]?.string })
        return (container.tree["volumeMounts"]?.items ?? []).filter { claims.contains($0["name"]?.string ?? "") }
            .compactMap { $0["mountPath"]?.string }
    }
}
