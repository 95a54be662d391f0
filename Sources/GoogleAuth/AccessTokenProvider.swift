/// Where the bearer token for the prediction endpoint comes from. The client
/// asks before each call; implementations cache, so asking is cheap.
public protocol AccessTokenProvider: Sendable {
    /// The token to send, or nil to send no `Authorization` header (a local
    /// endpoint). `forceRefresh` after a 401 fetches a new one.
    func accessToken(forceRefresh: Bool) async throws(AuthError) -> String?

    /// How credentials were found, for the start-up log line (never a secret).
    var mode: String { get }
}

/// Why no token could be had. Messages never include a token or key.
public struct AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// True when trying again later may work (token endpoint unreachable or 5xx).
    public let isRetryable: Bool
    public let message: String

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.isRetryable = retryable
    }

    public var description: String { message }
}

/// A fixed token (`VERTEX_AI_ACCESS_TOKEN`), for special cases such as a token
/// minted by another system.
public struct StaticTokenProvider: AccessTokenProvider {
    let token: String
    public init(token: String) { self.token = token }
    public func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? { token }
    public var mode: String { "static token (VERTEX_AI_ACCESS_TOKEN)" }
}

/// No credentials: a local endpoint on this machine needs none.
public struct NoAuthentication: AccessTokenProvider {
    public init() {}
    public func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? { nil }
    public var mode: String { "none (local endpoint)" }
}
