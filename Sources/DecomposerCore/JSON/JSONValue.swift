/// Any JSON value, keeping booleans apart from numbers (Foundation's
/// `JSONSerialization` does not, and Codable cannot say which type a value
/// has without trying each one).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The members of an object whose values are all strings — the shape of
    /// a job event and of a Redis hash — or nil for anything else.
    public var stringFields: [String: String]? {
        guard case .object(let members) = self else { return nil }
        var fields: [String: String] = [:]
        fields.reserveCapacity(members.count)
        for (name, value) in members {
            guard case .string(let text) = value else { return nil }
            fields[name] = text
        }
        return fields
    }
}
