/// One Kubernetes object, and the file or render it came from (for failure messages).
struct Manifest: Sendable {
    let tree: YAMLTree
    let origin: String

    var kind: String { tree["kind"]?.string ?? "" }
    var name: String { tree.at("metadata.name")?.string ?? "" }
    var namespace: String? { tree.at("metadata.namespace")?.string }
    var labels: [String: String] { tree.at("metadata.labels")?.stringMap ?? [:] }
    var annotations: [String: String] { tree.at("metadata.annotations")?.stringMap ?? [:] }
    var description: String { "\(kind)/\(name) (\(origin))" }

    func at(_ path: String) -> YAMLTree? { tree.at(path) }

    /// The pod template of a workload (Deployment, StatefulSet, Job, CronJob), else nil.
    var podTemplate: YAMLTree? {
        switch kind {
        case "Deployment", "StatefulSet", "DaemonSet", "Job": return at("spec.template")
        case "CronJob": return at("spec.jobTemplate.spec.template")
        default: return nil
        }
    }
}
