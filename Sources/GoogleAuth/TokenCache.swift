/// Caches a token and refreshes it before it expires. Concurrent callers
/// share one refresh instead of each hitting the token endpoint.
actor TokenCache {
    private var token: OAuthToken?
    private var refreshing: Task<OAuthToken, any Error>?
    /// Refresh this long before expiry, so a token never expires mid-request.
    private let margin: Duration
    private let fetch: @Sendable () async throws(AuthError) -> OAuthToken

    init(margin: Duration = .seconds(300), fetch: @escaping @Sendable () async throws(AuthError) -> OAuthToken) {
        self.margin = margin
        self.fetch = fetch
    }

    func value(forceRefresh: Bool) async throws(AuthError) -> String {
        if !forceRefresh, let token, ContinuousClock.now + margin < token.expiresAt { return token.value }
        let task: Task<OAuthToken, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let fetch = self.fetch
            task = Task { try await fetch() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            token = fresh
            refreshing = nil
            return fresh.value
        } catch {
            refreshing = nil
            throw (error as? AuthError) ?? AuthError("token refresh failed: \(error)", retryable: true)
        }
    }
}
