/// A configuration value that cannot be used. Start-up stops with exit code 2
/// and this message, which names the key and what it expected.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let expected: String
    public let actual: String

    public init(key: String, expected: String, actual: String) {
        self.key = key
        self.expected = expected
        self.actual = actual
    }

    public var description: String { "\(key) must be \(expected) (got \"\(actual)\")" }
}
