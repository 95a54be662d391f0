import CurlHTTP
import GoogleAuth

/// The token source for a storage endpoint: none at all for an endpoint on this machine (127.x,
/// localhost — fake-gcs-server in tests and demos), decided before any credential is looked up, so
/// a stray key file or an absent metadata server cannot get in the way; otherwise Application
/// Default Credentials with the `devstorage.read_write` scope.
public enum StorageCredentials {
    public static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    public static func provider(
        for configuration: CloudStorageConfiguration, environment: [String: String], http: CurlHTTPClient
    ) throws(AuthError) -> any AccessTokenProvider {
        let host = configuration.endpointHost
        if CredentialDiscovery.isLocal(host) { return NoAuthentication() }
        return try CredentialDiscovery.provider(environment: environment, endpointHost: host, http: http, scope: scope)
    }
}
