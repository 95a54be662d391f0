import DecomposerCore
import Foundation
import TestSupport

/// deploy/kubernetes/base as written, for machines without kubectl: its resources, and its
/// ConfigMap and Secret generators turned into the objects kustomize would make (without the
/// name hash, which the references then do not carry either).
enum BaseFiles {
    static func load() throws -> ManifestSet {
        let kustomization = try kustomization(DeployPaths.base)
        var manifests: [Manifest] = []
        for file in kustomization["resources"]?.strings ?? [] {
            let url = DeployPaths.base.appendingPathComponent(file)
            manifests += try YAMLTree.documents(DeployPaths.text(url)).map { Manifest(tree: $0, origin: "base/\(file)") }
        }
        for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            for generator in kustomization[field]?.items ?? [] {
                manifests.append(try generated(kind, generator))
            }
        }
        return ManifestSet(name: "base", manifests: manifests, decomposerImage: "decomposer", renderWarnings: "")
    }

    static func kustomization(_ directory: URL) throws -> YAMLTree {
        let text = try DeployPaths.text(directory.appendingPathComponent("kustomization.yaml"))
        guard let tree = try YAMLTree.documents(text).first else { throw TestSupportError("empty kustomization in \(directory.path)") }
        return tree
    }

    /// A generator's object: `envs` files, then `literals`, then `files` (key = file name or `key=path`).
    private static func generated(_ kind: String, _ generator: YAMLTree) throws -> Manifest {
        var data: [String: YAMLTree] = [:]
        for file in generator["envs"]?.strings ?? [] {
            let values = EnvironmentFile.parse(try DeployPaths.text(DeployPaths.base.appendingPathComponent(file)))
            for (key, value) in values { data[key] = .scalar(value) }
        }
        for literal in generator["literals"]?.strings ?? [] {
            let parts = literal.split(separator: "=", maxSplits: 1).map(String.init)
            data[parts[0]] = .scalar(parts.count > 1 ? parts[1] : "")
        }
        for entry in generator["files"]?.strings ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let path = parts.count > 1 ? parts[1] : parts[0]
            let key = parts.count > 1 ? parts[0] : URL(fileURLWithPath: path).lastPathComponent
            data[key] = .scalar(try DeployPaths.text(DeployPaths.base.appendingPathComponent(path)))
        }
        let name = generator["name"]?.string ?? ""
        let tree = YAMLTree.mapping([
            "apiVersion": .scalar("v1"), "kind": .scalar(kind), "metadata": .mapping(["name": .scalar(name)]),
            kind == "Secret" ? "stringData" : "data": .mapping(data),
        ])
        return Manifest(tree: tree, origin: "base/kustomization.yaml")
    }
}

/// The kustomizations' `images` entry for `decomposer`: the overlay's over the base's.
enum ImagesEntry {
    static func decomposerImage(overlay: URL) throws -> String {
        var newName = "decomposer"
        var newTag: String?
        for directory in [DeployPaths.base, overlay] {
            for entry in try BaseFiles.kustomization(directory)["images"]?.items ?? [] where entry["name"]?.string == "decomposer" {
                if let name = entry["newName"]?.string { newName = name }
                if let tag = entry["newTag"]?.string { newTag = tag }
            }
        }
        return newTag.map { "\(newName):\($0)" } ?? newName
    }
}
