/// Signs bytes as a service account with RSA-SHA256 (PKCS#1 v1.5), the signature V4 signed
/// URLs carry. Two sources: a service-account key held here (`ServiceAccountKeySigner`), or
/// Google signing for us with a key it never hands out (`IAMSignBlobSigner`, for metadata-server
/// credentials on GCE, Cloud Run and GKE).
public protocol BlobSigner: Sendable {
    /// The account the signature speaks for: the `X-Goog-Credential` of the URL.
    func serviceAccountEmail() async throws(SignedURLError) -> String

    /// The raw signature bytes (not hex, not base64).
    func sign(_ bytes: [UInt8]) async throws(SignedURLError) -> [UInt8]

    /// How URLs are signed, for the start-up log line (never a secret).
    var mode: String { get }
}
