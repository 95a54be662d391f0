#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which one, on what, and the `errno` it set. The one
/// error type for raw system calls in every module (see `systemCall`).
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call's name, e.g. "write" or "fsync".
    public let call: String
    /// The file it was made on, when there is one.
    public let path: String?
    /// The `errno` value.
    public let code: Int32

    public init(call: String, path: String? = nil, code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// The system's words for `code`, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

    /// E.g. `write /results/…/.layer_0.png.tmp failed: No space left on device`.
    public var description: String { "\(call)\(path.map { " \($0)" } ?? "") failed: \(reason)" }
}
