/// A Kubernetes label selector (`matchLabels` and `matchExpressions`); an empty one selects all.
struct LabelSelector: Sendable {
    let tree: YAMLTree

    func matches(_ labels: [String: String]) -> Bool {
        let required = tree["matchLabels"]?.stringMap ?? [:]
        guard required.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        return (tree["matchExpressions"]?.items ?? []).allSatisfy { expression in
            let key = expression["key"]?.string ?? ""
            let values = expression["values"]?.strings ?? []
            switch expression["operator"]?.string {
            case "In": return labels[key].map(values.contains) ?? false
            case "NotIn": return !(labels[key].map(values.contains) ?? false)
            case "Exists": return labels[key] != nil
            case "DoesNotExist": return labels[key] == nil
            default: return false
            }
        }
    }
}

/// A NetworkPolicy's ingress side, as the checks read it.
struct IngressPolicy: Sendable {
    let manifest: Manifest

    var selects: LabelSelector { LabelSelector(tree: manifest.at("spec.podSelector") ?? .mapping([:])) }
    var restrictsIngress: Bool {
        let types = manifest.at("spec.policyTypes")?.strings ?? []
        return types.contains("Ingress") || (types.isEmpty && manifest.at("spec.ingress") != nil)
    }
    var rules: [YAMLTree] { manifest.at("spec.ingress")?.items ?? [] }
    /// The peers of every rule; a rule without `from` admits everyone, shown as an empty peer.
    var peers: [YAMLTree] { rules.flatMap { $0["from"].map(\.items) ?? [.mapping([:])] } }
    /// Peers beyond this namespace's pods: other namespaces, address blocks, or anyone.
    var admitsOutsiders: Bool {
        peers.contains { $0["namespaceSelector"] != nil || $0["ipBlock"] != nil || $0["podSelector"] == nil }
    }
}
