import Foundation
import Testing

/// Both overlays render cleanly, and the demo's Redis keeps every job.
@Suite struct DeployRenderTests {
    @Test(.enabled("no kubectl with kustomize v5 here") { await Kubectl.find() != nil })
    func kustomizeRendersBothOverlaysWithoutWarnings() async throws {
        let kubectl = try #require(await Kubectl.find())
        for overlay in DeployPaths.overlays + [DeployPaths.base] {
            let result = try await Kubectl.kustomize(kubectl, overlay)
            #expect(result.status == 0, "\(overlay.lastPathComponent): \(result.standardError)")
            #expect(result.standardError.isEmpty, "\(overlay.lastPathComponent) renders with warnings: \(result.standardError)")
            #expect(try YAMLTree.documents(result.standardOutput).count > 10)
        }
    }

    /// An evicted or lost job key is a lost job: the demo's Redis appends every write to a file on
    /// a PersistentVolumeClaim and never evicts.
    @Test func theDemoRedisKeepsEveryJob() async throws {
        let file = DeployPaths.kubernetes.appendingPathComponent("overlays/demo/redis.conf")
        expectKeepsEveryJob(try DeployPaths.text(file), in: "overlays/demo/redis.conf")
        for set in try await DeployManifests.all() {
            for redis in set.all("StatefulSet") where redis.labels["app.kubernetes.io/name"] == "redis" {
                #expect(!(redis.at("spec.volumeClaimTemplates")?.items.isEmpty ?? true), "\(set.name): Redis keeps its data on no volume claim")
                let workload = PodWorkload(manifest: redis, template: try #require(redis.podTemplate))
                let configMaps = (workload.spec["volumes"]?.items ?? []).compactMap { $0.at("configMap.name")?.string }
                let files = configMaps.compactMap { set.first("ConfigMap", named: $0)?.at("data")?.stringMap["redis.conf"] }
                #expect(files.count == 1, "\(set.name): Redis mounts no redis.conf")
                for text in files { expectKeepsEveryJob(text, in: "\(set.name)'s redis.conf") }
                #expect(workload.containers.first?.args.contains { $0.hasSuffix("/redis.conf") } == true, "\(set.name): Redis does not read its redis.conf")
            }
        }
    }

    private func expectKeepsEveryJob(_ configuration: String, in place: String) {
        let settings = Set(configuration.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") })
        for setting in ["appendonly yes", "maxmemory-policy noeviction", "dir /data"] {
            #expect(settings.contains(setting), "\(place) lacks `\(setting)`")
        }
    }
}
