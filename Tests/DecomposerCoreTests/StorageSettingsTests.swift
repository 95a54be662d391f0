import DecomposerCore
import Foundation
import Testing

/// `STORAGE_BACKEND` and the `GCS_*` keys.
@Suite struct StorageSettingsTests {
    private func storage(_ environment: [String: String]) throws(ConfigurationError) -> StorageSettings {
        try DecomposerConfiguration(ConfigurationValues(environment: environment)).storage
    }

    @Test func theFilesystemIsTheDefault() throws {
        #expect(try storage([:]) == .filesystem)
        #expect(try storage(["STORAGE_BACKEND": "filesystem", "GCS_BUCKET": "ignored"]) == .filesystem)
    }

    @Test func gcsDefaults() throws {
        guard case .gcs(let bucket) = try storage(["STORAGE_BACKEND": "gcs", "GCS_BUCKET": "layers"]) else {
            Issue.record("STORAGE_BACKEND=gcs is not gcs")
            return
        }
        #expect(bucket.name == "layers")
        #expect(bucket.prefix == "")
        #expect(bucket.apiEndpoint == "https://storage.googleapis.com")
        #expect(bucket.signedURLs == false)
        #expect(bucket.signedURLSeconds == 900)
        #expect(bucket.iamEndpoint == "https://iamcredentials.googleapis.com")
        #expect(bucket.retryDeadline == .seconds(120))
    }

    @Test func gcsSettingsAreRead() throws {
        guard case .gcs(let bucket) = try storage([
            "STORAGE_BACKEND": "gcs", "GCS_BUCKET": "layers", "GCS_PREFIX": "staging/",
            "GCS_API_ENDPOINT": "http://127.0.0.1:4443", "GCS_SIGNED_URLS": "true", "GCS_SIGNED_URL_SECONDS": "60",
            "GCS_IAM_API_ENDPOINT": "http://127.0.0.1:4444",
        ]) else {
            Issue.record("STORAGE_BACKEND=gcs is not gcs")
            return
        }
        #expect(bucket.prefix == "staging/")
        #expect(bucket.apiEndpoint == "http://127.0.0.1:4443")
        #expect(bucket.signedURLs)
        #expect(bucket.signedURLSeconds == 60)
        #expect(bucket.iamEndpoint == "http://127.0.0.1:4444")
    }

    @Test func badValuesNameTheirKey() {
        let cases: [([String: String], String)] = [
            (["STORAGE_BACKEND": "gcs"], "GCS_BUCKET"),
            (["STORAGE_BACKEND": "s3"], "STORAGE_BACKEND"),
            (["STORAGE_BACKEND": "gcs", "GCS_BUCKET": "b", "GCS_API_ENDPOINT": "storage.googleapis.com"], "GCS_API_ENDPOINT"),
            (["STORAGE_BACKEND": "gcs", "GCS_BUCKET": "b", "GCS_SIGNED_URLS": "maybe"], "GCS_SIGNED_URLS"),
            (["STORAGE_BACKEND": "gcs", "GCS_BUCKET": "b", "GCS_SIGNED_URL_SECONDS": "604801"], "GCS_SIGNED_URL_SECONDS"),
            (["STORAGE_BACKEND": "gcs", "GCS_BUCKET": "b", "GCS_IAM_API_ENDPOINT": "ftp://x"], "GCS_IAM_API_ENDPOINT"),
        ]
        for (environment, key) in cases {
            do {
                _ = try storage(environment)
                Issue.record("accepted \(environment)")
            } catch {
                #expect(error.key == key, "\(environment)")
            }
        }
    }
}
