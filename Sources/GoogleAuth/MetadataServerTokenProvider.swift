import CurlHTTP

/// The token of the attached service account from the GCE / Cloud Run / GKE
/// metadata server. `GCE_METADATA_HOST` overrides the host, as in Google's libraries.
public final class MetadataServerTokenProvider: AccessTokenProvider {
    public let mode: String
    private let cache: TokenCache

    public init(host: String = "metadata.google.internal", http: CurlHTTPClient) {
        let url = "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
        mode = "metadata server (\(host))"
        cache = TokenCache {
            () async throws(AuthError) -> OAuthToken in
            let request = HTTPRequest(
                url: url, headers: [("Metadata-Flavor", "Google")], timeout: .seconds(10),
                connectTimeout: .seconds(3), maxResponseBytes: 1 << 20)
            do throws(AuthError) {
                return try await TokenEndpoint.fetch(request, from: "metadata server \(host)", http: http)
            } catch {
                throw AuthError(
                    "\(error.message). No credentials found: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key, run on Google Cloud, or set VERTEX_AI_ACCESS_TOKEN",
                    retryable: error.isRetryable)
            }
        }
    }

    public func accessToken(forceRefresh: Bool) async throws(AuthError) -> String? {
        try await cache.value(forceRefresh: forceRefresh)
    }
}
