import CloudStorage
import CurlHTTP
import DecomposerCore
import Foundation
import GoogleAuth

/// Builds the configured `StorageBackend`: the one place that reads `STORAGE_BACKEND`'s choice.
public enum StorageBackends {
    /// `environment` is where credentials are looked up (Application Default Credentials, with the
    /// `devstorage.read_write` scope; none for a storage endpoint on this machine). Unusable
    /// credentials or signing settings are a `ConfigurationError` (start-up exits 2).
    public static func make(
        _ configuration: DecomposerConfiguration, environment: [String: String], http: CurlHTTPClient
    ) throws -> any StorageBackend {
        switch configuration.storage {
        case .filesystem:
            return FilesystemStorage(
                uploadsDirectory: configuration.uploadsDirectory, resultsDirectory: configuration.resultsDirectory)
        case .gcs(let bucket):
            let cloud = CloudStorageConfiguration(bucket: bucket.name, prefix: bucket.prefix, endpoint: bucket.apiEndpoint)
            let tokens: any AccessTokenProvider
            do {
                tokens = try StorageCredentials.provider(for: cloud, environment: environment, http: http)
            } catch {
                throw ConfigurationError(key: "GOOGLE_APPLICATION_CREDENTIALS", expected: "usable Cloud Storage credentials (\(error))", actual: environment["GOOGLE_APPLICATION_CREDENTIALS"] ?? "")
            }
            var signer: V4URLSigner?
            if bucket.signedURLs {
                do {
                    signer = try V4URLSigner(
                        signer: BlobSignerDiscovery.signer(
                            environment: environment, tokens: tokens, iamBaseURL: bucket.iamEndpoint, http: http),
                        endpoint: cloud.endpoint, lifetimeSeconds: bucket.signedURLSeconds)
                } catch {
                    throw ConfigurationError(key: "GCS_SIGNED_URLS", expected: "a way to sign URLs (\(error))", actual: "true")
                }
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("decomposer-storage")
            return BucketStorage(
                client: CloudStorageClient(
                    configuration: cloud, auth: tokens, http: http, retry: StorageRetryPolicy(deadline: bucket.retryDeadline)),
                signer: signer, scratch: scratch)
        }
    }
}
