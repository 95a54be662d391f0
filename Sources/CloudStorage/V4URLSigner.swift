import Foundation

/// Makes V4 signed URLs for GETs of objects on one storage endpoint, valid for a fixed time
/// (`GCS_SIGNED_URL_SECONDS`, default 900), signed by a `BlobSigner` (a service-account key
/// here, or IAM signBlob). Clients fetch layer bytes from the bucket with them, so the bytes
/// never pass through the API.
public struct V4URLSigner: Sendable {
    public static let defaultEndpoint = "https://storage.googleapis.com"
    public static let defaultLifetimeSeconds = 900
    /// Google's limit: a V4 signed URL lives at most seven days.
    public static let lifetimeRange = 1...604_800

    public let endpoint: SigningEndpoint
    public let lifetimeSeconds: Int
    private let signer: any BlobSigner

    public init(
        signer: any BlobSigner, endpoint: String = defaultEndpoint, lifetimeSeconds: Int = defaultLifetimeSeconds
    ) throws(SignedURLError) {
        guard Self.lifetimeRange.contains(lifetimeSeconds) else { throw .invalidLifetime(String(lifetimeSeconds)) }
        self.endpoint = try SigningEndpoint(endpoint)
        self.lifetimeSeconds = lifetimeSeconds
        self.signer = signer
    }

    /// `GCS_SIGNED_URL_SECONDS` as text: unset or blank is the default, anything but an integer
    /// from 1 to 604800 is refused.
    public static func lifetimeSeconds(from text: String?) throws(SignedURLError) -> Int {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return defaultLifetimeSeconds }
        guard let seconds = Int(text), lifetimeRange.contains(seconds) else { throw .invalidLifetime(text) }
        return seconds
    }

    public var mode: String { signer.mode }

    /// The URL for `object` in `bucket`, signed at `now` (injectable, so tests are deterministic).
    public func signedURL(bucket: String, object: String, now: Date = Date()) async throws(SignedURLError) -> SignedURL {
        let request = try V4SigningRequest(
            endpoint: endpoint, bucket: bucket, object: object, serviceAccount: try await signer.serviceAccountEmail(),
            date: now, lifetimeSeconds: lifetimeSeconds)
        let signature = try await signer.sign(Array(request.stringToSign.utf8))
        return SignedURL(url: request.url(signature: signature), expires: request.expires)
    }
}
