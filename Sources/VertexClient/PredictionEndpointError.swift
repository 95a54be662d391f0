/// Why a `PredictionEndpoint` could not be built, naming the setting to fix.
///
/// This is a start-up problem, not a call failure: it is reported once by
/// `decomposer doctor` or at worker start, so it is kept apart from
/// `VertexError`, which describes one prediction call.
public enum PredictionEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required setting is empty or absent, e.g. `VERTEX_AI_PROJECT_ID`.
    case missingSetting(String)
    /// A setting is present but cannot be used in the URL.
    case invalidSetting(key: String, value: String, expected: String)

    /// The environment key the operator has to fix.
    public var setting: String {
        switch self {
        case .missingSetting(let key): return key
        case .invalidSetting(let key, _, _): return key
        }
    }

    public var description: String {
        switch self {
        case .missingSetting(let key):
            return "\(key) is not set; it is required to call the Vertex AI prediction endpoint"
        case .invalidSetting(let key, let value, let expected):
            return "\(key)=\(value) is not usable: expected \(expected)"
        }
    }
}
