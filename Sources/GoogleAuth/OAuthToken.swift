import Foundation

/// An access token and when to stop using it.
struct OAuthToken: Sendable {
    let value: String
    let expiresAt: ContinuousClock.Instant

    /// The token endpoint's JSON: `{"access_token":…, "expires_in":…, "token_type":"Bearer"}`.
    static func decode(_ body: [UInt8], receivedAt: ContinuousClock.Instant) throws(AuthError) -> OAuthToken {
        struct Payload: Decodable {
            let access_token: String
            let expires_in: Int?
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(body)), !payload.access_token.isEmpty else {
            throw AuthError("the token endpoint answered without an access_token", retryable: false)
        }
        return OAuthToken(value: payload.access_token, expiresAt: receivedAt + .seconds(payload.expires_in ?? 3600))
    }
}
