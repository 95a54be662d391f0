import Yams

/// A YAML node as plain values, every scalar as its text: `8000` and `"8000"` read alike, as
/// Kubernetes takes them (a ConfigMap's values are strings either way).
enum YAMLTree: Sendable, Equatable {
    case scalar(String)
    case sequence([YAMLTree])
    case mapping([String: YAMLTree])

    init(_ node: Node) {
        switch node {
        case .scalar(let scalar): self = .scalar(scalar.string)
        case .sequence(let sequence): self = .sequence(sequence.map(YAMLTree.init))
        case .mapping(let mapping):
            var values: [String: YAMLTree] = [:]
            for (key, value) in mapping { values[key.string ?? ""] = YAMLTree(value) }
            self = .mapping(values)
        case .alias: self = .scalar("")
        }
    }

    /// Every document of a multi-document YAML text; empty documents are left out.
    static func documents(_ text: String) throws -> [YAMLTree] {
        var sequence = try Yams.compose_all(yaml: text)
        var documents: [YAMLTree] = []
        while let node = sequence.next() {
            let tree = YAMLTree(node)
            if tree != .mapping([:]) && tree != .scalar("") { documents.append(tree) }
        }
        // The sequence ends at the first parse error and keeps it.
        if let error = sequence.error { throw error }
        return documents
    }

    subscript(key: String) -> YAMLTree? {
        if case .mapping(let values) = self { return values[key] }
        return nil
    }

    /// The value at a dotted path of mapping keys (`spec.template.spec`).
    func at(_ path: String) -> YAMLTree? {
        path.split(separator: ".").reduce(Optional(self)) { node, key in node?[String(key)] }
    }

    var string: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    var int: Int? { string.flatMap { Int($0) } }

    /// The items of a sequence; empty for anything else (an absent list is an empty one).
    var items: [YAMLTree] {
        if case .sequence(let items) = self { return items }
        return []
    }

    /// A mapping's string values (labels, annotations, ConfigMap data).
    var stringMap: [String: String] {
        guard case .mapping(let values) = self else { return [:] }
        return values.compactMapValues(\.string)
    }

    var strings: [String] { items.compactMap(\.string) }
}
