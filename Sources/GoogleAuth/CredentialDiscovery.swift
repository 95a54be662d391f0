import CurlHTTP
import Foundation

/// Application Default Credentials, in the order a deployment expects:
/// `VERTEX_AI_ACCESS_TOKEN` (explicit override) → `GOOGLE_APPLICATION_CREDENTIALS`
/// (service-account key) → nothing when the endpoint is on this machine →
/// the metadata server.
public enum CredentialDiscovery {
    /// `scope` is the OAuth scope a service-account key's token asks for.
    public static func provider(
        environment: [String: String], endpointHost: String, http: CurlHTTPClient,
        scope: String = ServiceAccountTokenProvider.scope
    ) throws(AuthError) -> any AccessTokenProvider {
        if let token = nonEmpty(environment["VERTEX_AI_ACCESS_TOKEN"]) { return StaticTokenProvider(token: token) }
        if let path = nonEmpty(environment["GOOGLE_APPLICATION_CREDENTIALS"]) {
            return try ServiceAccountTokenProvider(keyFile: path, http: http, scope: scope)
        }
        if isLocal(endpointHost) { return NoAuthentication() }
        return MetadataServerTokenProvider(host: nonEmpty(environment["GCE_METADATA_HOST"]) ?? "metadata.google.internal", http: http)
    }

    /// Loopback and `localhost`: a local endpoint with no credentials configured gets no auth header.
    public static func isLocal(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
