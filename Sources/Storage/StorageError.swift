/// A storage failure in the terms callers act on: the thing is gone (`notFound`), storage cannot be
/// reached for now and waiting helps (`unavailable`), or something waiting will not cure (`failed`).
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case unavailable(String)
    case failed(String)

    public var description: String {
        switch self {
        case .notFound(let message), .unavailable(let message), .failed(let message): return message
        }
    }
}
