/// Which bucket, under which prefix, through which endpoint (`GCS_BUCKET`, `GCS_PREFIX`,
/// `GCS_API_ENDPOINT`), and how long each request may take.
public struct CloudStorageConfiguration: Sendable, Equatable {
    public static let googleEndpoint = "https://storage.googleapis.com"

    public var bucket: String
    /// Put before every object name the client is given and taken off every name it lists, so
    /// callers see only their own part of a shared bucket (e.g. `"staging/"`).
    public var prefix: String
    /// Scheme, host and port, without a trailing slash; tests point it at fake-gcs-server.
    public var endpoint: String
    /// Bound on one attempt (connect, send, wait, receive); a multi-megabyte object needs time.
    public var timeout: Duration
    public var connectTimeout: Duration

    public init(
        bucket: String, prefix: String = "", endpoint: String = Self.googleEndpoint,
        timeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(10)
    ) {
        self.bucket = bucket
        self.prefix = prefix
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// The endpoint's host, for the "no credentials on this machine" rule.
    public var endpointHost: String {
        guard let host = URLParts.host(of: endpoint) else { return "" }
        return host
    }
}
