import CurlHTTP
import Foundation
import GoogleAuth

/// Which `BlobSigner` signs URLs, in the Application Default Credentials order: the key in
/// `GOOGLE_APPLICATION_CREDENTIALS` signs here; without one, the account of whatever `tokens`
/// authenticates as (the metadata server's, `GCE_METADATA_HOST` overriding its host) signs
/// through IAM signBlob.
public enum BlobSignerDiscovery {
    public static func signer(
        environment: [String: String], tokens: any AccessTokenProvider, serviceAccount: String? = nil,
        iamBaseURL: String = IAMSignBlobSigner.defaultBaseURL, http: CurlHTTPClient
    ) throws(SignedURLError) -> any BlobSigner {
        if let path = nonEmpty(environment["GOOGLE_APPLICATION_CREDENTIALS"]) {
            return try ServiceAccountKeySigner(keyFile: path)
        }
        return IAMSignBlobSigner(
            serviceAccount: serviceAccount,
            metadataHost: nonEmpty(environment["GCE_METADATA_HOST"]) ?? IAMSignBlobSigner.defaultMetadataHost,
            baseURL: iamBaseURL, tokens: tokens, http: http)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
