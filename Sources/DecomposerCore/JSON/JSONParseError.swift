/// Why bytes are not one JSON value, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Bytes inside a string that are not UTF-8 (a separate reason because
        /// a client needs to fix its encoding, not its JSON).
        case invalidUTF8
        /// Nesting deeper than the parser's limit.
        case tooDeep(limit: Int)
        case syntax(String)
    }

    public let reason: Reason
    /// Byte offset of the problem.
    public let offset: Int

    public init(reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .invalidUTF8: "invalid UTF-8 at byte \(offset)"
        case .tooDeep(let limit): "nested deeper than \(limit) levels at byte \(offset)"
        case .syntax(let what): "\(what) at byte \(offset)"
        }
    }
}
