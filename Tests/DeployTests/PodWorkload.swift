/// A workload's pod: its labels, grace period and containers, as the checks read them.
struct PodWorkload: Sendable {
    let manifest: Manifest
    let template: YAMLTree

    var labels: [String: String] { template.at("metadata.labels")?.stringMap ?? [:] }
    var spec: YAMLTree { template["spec"] ?? .mapping([:]) }
    /// Kubernetes' default when unset is 30 s.
    var terminationGracePeriod: Duration { .seconds(spec["terminationGracePeriodSeconds"]?.int ?? 30) }
    var containers: [Container] { spec["containers"]?.items.map(Container.init) ?? [] }
    var initContainers: [Container] { spec["initContainers"]?.items.map(Container.init) ?? [] }
    /// A pod of the decomposer's own (not Redis): its main containers run the decomposer image.
    var isDecomposer: Bool { labels["app.kubernetes.io/name"] == "decomposer" }
    /// The subcommand the pod's main container runs (`api`, `worker`, …), if it is a decomposer pod.
    var subcommand: String? { isDecomposer ? containers.first?.args.first : nil }
    var description: String { manifest.description }
}

/// One container of a pod spec.
struct Container: Sendable {
    let tree: YAMLTree

    init(_ tree: YAMLTree) { self.tree = tree }

    var name: String { tree["name"]?.string ?? "" }
    var image: String { tree["image"]?.string ?? "" }
    var command: [String]? { tree["command"].map(\.strings) }
    var args: [String] { tree["args"]?.strings ?? [] }
    var restartPolicy: String? { tree["restartPolicy"]?.string }
    /// `env` entries: name → literal value (nil for `valueFrom`).
    var env: [(name: String, value: String?)] {
        tree["env"]?.items.map { ($0["name"]?.string ?? "", $0["value"]?.string) } ?? []
    }
    /// `envFrom` sources in order (later ones win, as in Kubernetes).
    var envFrom: [EnvironmentSource] {
        tree["envFrom"]?.items.compactMap { item in
            if let name = item.at("configMapRef.name")?.string { return EnvironmentSource(kind: "ConfigMap", name: name) }
            if let name = item.at("secretRef.name")?.string { return EnvironmentSource(kind: "Secret", name: name) }
            return nil
        } ?? []
    }
    /// Named ports → numbers.
    var ports: [String: Int] {
        var ports: [String: Int] = [:]
        for port in tree["ports"]?.items ?? [] {
            if let number = port["containerPort"]?.int { ports[port["name"]?.string ?? String(number)] = number }
        }
        return ports
    }

    /// The port a probe or reference names: a number, or one of this container's port names.
    func resolve(port: YAMLTree?) -> Int? {
        guard let text = port?.string else { return nil }
        return Int(text) ?? ports[text]
    }

    /// An HTTP probe's path and resolved port.
    func httpProbe(_ kind: String) -> (path: String, port: Int?)? {
        guard let probe = tree[kind]?["httpGet"], let path = probe["path"]?.string else { return nil }
        return (path, resolve(port: probe["port"]))
    }

    /// How long `preStop` holds the container before SIGTERM: `exec: sleep N` or `sleep: {seconds}`.
    var preStopSleep: Duration {
        guard let preStop = tree.at("lifecycle.preStop") else { return .zero }
        if let seconds = preStop.at("sleep.seconds")?.int { return .seconds(seconds) }
        let command = preStop.at("exec.command")?.strings ?? []
        if command.count == 2, command[0] == "sleep", let seconds = Int(command[1]) { return .seconds(seconds) }
        return .zero
    }
}

/// A ConfigMap or Secret a container takes every key of as environment variables.
struct EnvironmentSource: Sendable, Hashable {
    let kind: String
    let name: String
}
