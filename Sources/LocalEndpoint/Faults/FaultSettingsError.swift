/// A fault-injection value that cannot be used; `decomposer endpoint` stops
/// with exit code 2 and this message, which names the flag and variable.
public struct FaultSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    /// `--rate-limit-probability / ENDPOINT_RATE_LIMIT_PROBABILITY must be … (got "2")`.
    init(_ option: FaultOption, expected: String, actual: String) {
        message = "\(option.flag) / \(option.environmentKey) must be \(expected) (got \"\(actual)\")"
    }

    public var description: String { message }
}
