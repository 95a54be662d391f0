/// Why a Cloud Storage call failed, in the terms a caller acts on: wait (`unavailable`), give up on
/// this object (`notFound`), fix the setup (`permissionDenied`, `credentials`), or a bug or bad data
/// (the rest). Messages are Cloud Storage's own when it sent one; never a token.
public enum CloudStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 404: the object (or the bucket) does not exist.
    case notFound(String)
    /// 401 (after one token refresh) or 403: the credentials lack permission on the bucket.
    case permissionDenied(String)
    /// No usable credentials (a key file unreadable, a token endpoint refusing).
    case credentials(String)
    /// 412: a generation precondition (`ifGenerationMatch`) did not hold.
    case preconditionFailed(String)
    /// Cloud Storage could not be reached or kept answering 408, 429 or 5xx: the retries ran out
    /// (or the request was not idempotent, so it was tried once). Waiting may help.
    case unavailable(String, attempts: Int)
    /// Any other 4xx: the request is wrong and repeating it will not help.
    case rejected(status: Int, message: String)
    /// What arrived does not match what was sent or stored (CRC32C or size).
    case integrityMismatch(String)
    /// The object is larger than the caller's limit for an in-memory download.
    case objectTooLarge(limit: Int)
    /// A reply Cloud Storage would not send (not the JSON expected).
    case malformedReply(String)
    /// A local file could not be read or written.
    case localFile(String)
    /// TLS or another failure that waiting will not cure.
    case failed(String)
    /// The caller's task was cancelled; the transfer was aborted.
    case cancelled

    /// True when the bucket is out of reach for now and the same call may succeed later.
    public var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .notFound(let message): return "not found in Cloud Storage: \(message)"
        case .permissionDenied(let message): return "permission denied by Cloud Storage: \(message)"
        case .credentials(let message): return "no Cloud Storage credentials: \(message)"
        case .preconditionFailed(let message): return "Cloud Storage precondition failed: \(message)"
        case .unavailable(let message, let attempts):
            return "Cloud Storage unavailable after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
        case .rejected(let status, let message): return "Cloud Storage refused the request (HTTP \(status)): \(message)"
        case .integrityMismatch(let message): return "Cloud Storage integrity check failed: \(message)"
        case .objectTooLarge(let limit): return "the object is larger than the \(limit)-byte limit"
        case .malformedReply(let message): return "unexpected reply from Cloud Storage: \(message)"
        case .localFile(let message): return message
        case .failed(let message): return "Cloud Storage call failed: \(message)"
        case .cancelled: return "the Cloud Storage call was cancelled"
        }
    }
}
