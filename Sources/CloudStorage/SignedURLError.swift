/// Why no signed URL could be made. Messages name files, accounts and hosts, never a key,
/// a token or a signature.
public enum SignedURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `GCS_SIGNED_URL_SECONDS` (or the lifetime given) is not an integer from 1 to 604800.
    case invalidLifetime(String)
    /// The storage endpoint is not `http(s)://host[:port]`.
    case invalidEndpoint(String)
    case invalidBucketName(String)
    case invalidObjectName(String)
    /// The service-account key file cannot be read at all.
    case keyFileUnreadable(path: String)
    /// The file is not a service-account key (not JSON, another credential type, no `client_email`).
    case notAServiceAccountKey(path: String, reason: String)
    /// The key file has no `private_key`: only a key with one can sign locally.
    case keyFileWithoutPrivateKey(path: String)
    /// The `private_key` is not an RSA key of at least 2048 bits in PEM form.
    case malformedPrivateKey(path: String)
    /// No access token for the IAM call (no credentials, or the token source failed).
    case noCredentials(String, retryable: Bool)
    /// The signing account's email could not be learnt from the metadata server.
    case serviceAccountUnknown(String, retryable: Bool)
    /// IAM refused to sign (401/403/404, or another final status) with Google's own words.
    case signBlobRefused(status: Int, serviceAccount: String, message: String)
    /// IAM could not be reached or answered 429/5xx: trying again later may work.
    case signBlobUnavailable(String)
    /// IAM answered 200 with a body that carries no signature.
    case malformedSignBlobResponse(String)
    /// The local RSA signature failed (should not happen with a key that loaded).
    case signingFailed(String)

    /// True when the same call may succeed later (a network or server fault, not a configuration error).
    public var isRetryable: Bool {
        switch self {
        case .signBlobUnavailable: return true
        case .noCredentials(_, let retryable), .serviceAccountUnknown(_, let retryable): return retryable
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidLifetime(let got):
            return "GCS_SIGNED_URL_SECONDS must be an integer from 1 to 604800 (got \"\(got)\")"
        case .invalidEndpoint(let got):
            return "the storage endpoint for signed URLs must be http(s)://host[:port] with no path (got \"\(got)\")"
        case .invalidBucketName(let got):
            return "\"\(got)\" is not a bucket name (lowercase letters, digits, '-', '_' and '.')"
        case .invalidObjectName(let why): return "cannot sign that object name: \(why)"
        case .keyFileUnreadable(let path): return "cannot read the service-account key file \(path)"
        case .notAServiceAccountKey(let path, let reason): return "\(path) is not a service-account key: \(reason)"
        case .keyFileWithoutPrivateKey(let path):
            return "\(path) has no private_key, so it cannot sign URLs; use a service-account key file or the metadata server's account (IAM signBlob)"
        case .malformedPrivateKey(let path):
            return "the private_key in \(path) is not an RSA key (2048 bits or more) in PEM form"
        case .noCredentials(let why, _): return "no credentials to call IAM signBlob: \(why)"
        case .serviceAccountUnknown(let why, _): return "cannot tell which service account signs URLs: \(why)"
        case .signBlobRefused(let status, let account, let message):
            return "IAM refused to sign as \(account) (HTTP \(status)\(message.isEmpty ? "" : ": \(message)")); "
                + "the account needs iam.serviceAccounts.signBlob on itself (roles/iam.serviceAccountTokenCreator)"
        case .signBlobUnavailable(let why): return "IAM signBlob unavailable: \(why)"
        case .malformedSignBlobResponse(let why): return "IAM signBlob answered without a usable signature: \(why)"
        case .signingFailed(let why): return "signing failed: \(why)"
        }
    }
}
