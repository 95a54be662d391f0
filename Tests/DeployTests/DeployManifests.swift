import Foundation
import TestSupport

/// The manifest sets every check runs over, loaded once per test process: both overlays rendered
/// with `kubectl kustomize` (what `kubectl apply -k` would send), or, where no kubectl with
/// kustomize v5 exists, the base's own files (the overlays' patches then go unchecked, and one
/// line says so).
actor DeployManifests {
    static let shared = DeployManifests()
    private var loaded: [ManifestSet]?

    static func all() async throws -> [ManifestSet] { try await shared.load() }

    private func load() async throws -> [ManifestSet] {
        if let loaded { return loaded }
        var sets: [ManifestSet] = []
        if let kubectl = await Kubectl.find() {
            for overlay in DeployPaths.overlays { sets.append(try await Self.render(overlay, with: kubectl)) }
        } else {
            print("DeployTests: no kubectl with kustomize v5 here; checking deploy/kubernetes/base as written (overlays not rendered)")
            sets.append(try BaseFiles.load())
        }
        loaded = sets
        return sets
    }

    static func render(_ overlay: URL, with kubectl: URL) async throws -> ManifestSet {
        let name = "overlays/\(overlay.lastPathComponent)"
        let result = try await Kubectl.kustomize(kubectl, overlay)
        guard result.status == 0 else {
            throw TestSupportError("kubectl kustomize \(name) failed (\(result.status)): \(result.standardError)")
        }
        let manifests = try YAMLTree.documents(result.standardOutput).map { Manifest(tree: $0, origin: name) }
        return ManifestSet(
            name: name, manifests: manifests, decomposerImage: try ImagesEntry.decomposerImage(overlay: overlay),
            renderWarnings: result.standardError)
    }
}
