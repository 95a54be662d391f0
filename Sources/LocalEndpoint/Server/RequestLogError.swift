/// The request log's file cannot be opened; `decomposer endpoint` stops with
/// exit code 2 and this message, which names the flag, the variable and the path.
public struct RequestLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// The system's words, e.g. "No such file or directory".
    public let reason: String

    public var description: String {
        "\(RequestLog.flag) / \(RequestLog.environmentKey) must be a file that can be appended to (got \"\(path)\": \(reason))"
    }
}
