/// Why a Redis call failed, in words an operator can act on.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis cannot be reached (refused, timed out, DNS): commands fail fast
    /// until the next reconnect attempt is due.
    case unavailable(String)
    /// The connection broke while a command was in flight; whether the command
    /// ran is unknown.
    case connectionLost(String)
    /// Redis answered with an error reply (`ERR …`, `NOSCRIPT …`, a Lua error).
    case server(String)
    /// The reply did not have the shape the caller expected.
    case unexpectedReply(String)
    /// The client was shut down.
    case shutdown

    public var description: String {
        switch self {
        case .unavailable(let why): return "Redis is unavailable: \(why)"
        case .connectionLost(let why): return "Redis connection lost: \(why)"
        case .server(let message): return "Redis error: \(message)"
        case .unexpectedReply(let what): return "unexpected Redis reply: \(what)"
        case .shutdown: return "Redis client is shut down"
        }
    }

    /// Errors that mean Redis (not the request) is the problem; callers retry
    /// later or answer 503.
    public var isConnectivity: Bool {
        switch self {
        case .unavailable, .connectionLost, .shutdown: return true
        case .server(let message): return message.hasPrefix("LOADING") || message.hasPrefix("BUSY")
        case .unexpectedReply: return false
        }
    }
}
