import Foundation

/// The objects of one deployment: an overlay as `kubectl kustomize` renders it, or the base's
/// files read as they are where no kubectl can render them.
struct ManifestSet: Sendable {
    /// `overlays/demo`, `overlays/gke` or `base`.
    let name: String
    let manifests: [Manifest]
    /// The image every decomposer container must run, from the kustomizations' `images` entry.
    let decomposerImage: String
    /// What `kubectl kustomize` wrote on stderr (warnings); empty for the base read directly.
    let renderWarnings: String

    func all(_ kind: String) -> [Manifest] { manifests.filter { $0.kind == kind } }

    func first(_ kind: String, named name: String) -> Manifest? {
        manifests.first { $0.kind == kind && $0.name == name }
    }

    var workloads: [PodWorkload] {
        manifests.compactMap { manifest in manifest.podTemplate.map { PodWorkload(manifest: manifest, template: $0) } }
    }

    func workloads(running subcommand: String) -> [PodWorkload] { workloads.filter { $0.subcommand == subcommand } }

    /// The keys and values a ConfigMap or Secret gives as environment variables; nil when absent.
    func environmentData(_ source: EnvironmentSource) -> [String: String]? {
        guard let object = first(source.kind, named: source.name) else { return nil }
        var values = object.at("data")?.stringMap ?? [:]
        if source.kind == "Secret" {
            values = values.mapValues { String(decoding: Data(base64Encoded: $0) ?? Data(), as: UTF8.self) }
        }
        values.merge(object.at("stringData")?.stringMap ?? [:]) { _, new in new }
        return values
    }

    /// The environment a container starts with: its `envFrom` sources in order, then `env`.
    func environment(of container: Container) -> [String: String] {
        var environment: [String: String] = [:]
        for source in container.envFrom { environment.merge(environmentData(source) ?? [:]) { _, new in new } }
        for variable in container.env { environment[variable.name] = variable.value ?? "" }
        return environment
    }
}
