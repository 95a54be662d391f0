import CloudStorage
import CurlHTTP
import Foundation
import GoogleAuth
import Storage

/// The pipeline case's storage: `--storage filesystem` (the default: uploads and layers under
/// `root`) or `--storage gcs --gcs-endpoint URL --gcs-bucket NAME` (a bucket on fake-gcs-server,
/// which bench/storage.sh starts; the bucket must exist), built as `decomposer worker` builds it:
/// the worker's own HTTP client, no credentials for an endpoint on this machine, scratch under
/// `root`. The figure names get `_gcs` for the bucket.
struct PipelineStorage {
    let backend: any StorageBackend
    let label: String

    init(root: URL, http: CurlHTTPClient) throws {
        switch stringOption("--storage") ?? "filesystem" {
        case "filesystem":
            backend = FilesystemStorage(
                uploadsDirectory: root.appendingPathComponent("uploads"), resultsDirectory: root.appendingPathComponent("results"))
            label = ""
        case "gcs":
            guard let endpoint = stringOption("--gcs-endpoint"), let bucket = stringOption("--gcs-bucket") else {
                print("pipeline --storage gcs needs --gcs-endpoint URL and --gcs-bucket NAME")
                exit(2)
            }
            let configuration = CloudStorageConfiguration(bucket: bucket, endpoint: endpoint)
            backend = BucketStorage(
                client: CloudStorageClient(
                    configuration: configuration,
                    auth: try StorageCredentials.provider(for: configuration, environment: [:], http: http), http: http),
                signer: nil, scratch: root.appendingPathComponent("scratch"))
            label = "_gcs"
        case let other:
            print("unknown --storage \(other) (filesystem or gcs)")
            exit(2)
        }
    }

    /// Stores `bytes` as the upload `fileID`, through the seam as the API does (a spool file, then
    /// `storeUpload`).
    func storeUpload(_ bytes: Data, fileID: UUID, spool: URL) async throws {
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let path = spool.appendingPathComponent(fileID.uuidString).path
        try bytes.write(to: URL(fileURLWithPath: path))
        try await backend.storeUpload(spooledAt: path, fileID: fileID, fileExtension: "jpg")
    }
}
