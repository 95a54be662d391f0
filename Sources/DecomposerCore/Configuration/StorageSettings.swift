/// Where uploads and layers are stored (`STORAGE_BACKEND`): the folders on disk (`UPLOADS_DIR`,
/// `RESULTS_DIR`; the default) or a Cloud Storage bucket. Read here, acted on by the `Storage`
/// module alone.
public enum StorageSettings: Sendable, Equatable {
    case filesystem
    case gcs(Bucket)

    /// `GCS_*`: the bucket, a name prefix inside it, the JSON API's base URL, whether layers are
    /// served by a redirect to a V4 signed URL valid `signedURLSeconds` (signed, without a key file,
    /// by the IAM Credentials API at `iamEndpoint`), and how long one request is retried through
    /// transient failures (`GCS_RETRY_DEADLINE_SECONDS`, Google's 120 s).
    public struct Bucket: Sendable, Equatable {
        public var name: String
        public var prefix: String
        public var apiEndpoint: String
        public var signedURLs: Bool
        public var signedURLSeconds: Int
        public var iamEndpoint: String
        public var retryDeadline: Duration
    }

    public static let googleEndpoint = "https://storage.googleapis.com"
    public static let googleIAMEndpoint = "https://iamcredentials.googleapis.com"

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        let backend = values.string("STORAGE_BACKEND", default: "filesystem")
        switch backend.lowercased() {
        case "filesystem":
            self = .filesystem
        case "gcs":
            guard let name = values.string("GCS_BUCKET") else {
                throw ConfigurationError(key: "GCS_BUCKET", expected: "a bucket name (required with STORAGE_BACKEND=gcs)", actual: "")
            }
            let endpoint = try values.httpURL("GCS_API_ENDPOINT")?.absoluteString ?? Self.googleEndpoint
            let signed = values.string("GCS_SIGNED_URLS", default: "false").lowercased()
            guard ["true", "false", "1", "0", "yes", "no"].contains(signed) else {
                throw ConfigurationError(key: "GCS_SIGNED_URLS", expected: "true or false", actual: signed)
            }
            self = .gcs(Bucket(
                name: name, prefix: values.string("GCS_PREFIX", default: ""), apiEndpoint: endpoint,
                signedURLs: ["true", "1", "yes"].contains(signed),
                signedURLSeconds: try values.integer("GCS_SIGNED_URL_SECONDS", default: 900, in: 1...604_800),
                iamEndpoint: try values.httpURL("GCS_IAM_API_ENDPOINT")?.absoluteString ?? Self.googleIAMEndpoint,
                retryDeadline: try values.seconds("GCS_RETRY_DEADLINE_SECONDS", default: 120, minimum: 0.1)))
        default:
            throw ConfigurationError(key: "STORAGE_BACKEND", expected: "filesystem or gcs", actual: backend)
        }
    }
}
