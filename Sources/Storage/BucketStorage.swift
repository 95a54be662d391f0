import CloudStorage
import DecomposerCore
import Foundation
import SystemSupport

/// Uploads and layers as objects in a Cloud Storage bucket (`STORAGE_BACKEND=gcs`):
/// `{prefix}uploads/{file_id}.{png|jpg}` and `{prefix}results/{job_id}/{attempt}/layer_{i}.png`, so the API
/// and every worker share nothing but Redis and the bucket. Nothing is written under `UPLOADS_DIR`
/// or `RESULTS_DIR`: spools and served copies live in `scratch` (under `TMPDIR`).
public struct BucketStorage: StorageBackend {
    public let client: CloudStorageClient
    /// With `GCS_SIGNED_URLS=true`: layers are served by a redirect to a V4 signed URL.
    public let signer: V4URLSigner?
    let scratch: URL

    public init(client: CloudStorageClient, signer: V4URLSigner?, scratch: URL) {
        self.client = client
        self.signer = signer
        self.scratch = scratch
    }

    /// An upload is at most `MAX_UPLOAD_BYTES` (25 MiB by default); this bounds a worker's download.
    static let maxUploadObjectBytes = 1 << 30

    var bucket: String { client.configuration.bucket }

    public var summary: String {
        let configuration = client.configuration
        let prefix = configuration.prefix.isEmpty ? "" : " prefix \(configuration.prefix)"
        return "gcs (bucket \(configuration.bucket)\(prefix) at \(configuration.endpoint)\(signer == nil ? "" : ", signed URLs"))"
    }

    public var spoolDirectory: URL { scratch.appendingPathComponent("spool") }

    /// Nothing local to make: the spool folder is made with the first spool.
    public func prepare() async throws {}

    static func uploadName(_ fileID: UUID, _ fileExtension: String) -> String {
        "uploads/\(fileID.lowercasedString).\(fileExtension)"
    }

    static func layerObject(_ set: LayerSet, _ index: Int) -> String { "results/\(set.path(index))" }

    /// Sent once the spool is whole and checked. `ifGenerationMatch=0` makes the write safe to retry
    /// (file ids are new, so a precondition failure means an earlier try of this write landed).
    public func storeUpload(spooledAt path: String, fileID: UUID, fileExtension: String) async throws {
        defer { unlink(path) }
        let name = Self.uploadName(fileID, fileExtension)
        do {
            _ = try await client.upload(
                fileAt: path, as: name, contentType: fileExtension == "png" ? "image/png" : "image/jpeg",
                idempotency: .ifGenerationMatch(0))
        } catch .preconditionFailed {
            return
        } catch {
            throw Self.storageError(error)
        }
    }

    public func uploadExists(_ fileID: UUID) async throws -> Bool { try await find(fileID) != nil }

    public func upload(_ fileID: UUID) async throws -> StoredUpload {
        guard let object = try await find(fileID) else {
            throw StorageError.notFound("the uploaded file \(fileID.lowercasedString) no longer exists")
        }
        return StoredUpload(name: object.name, size: Int(object.size), version: object.generation)
    }

    /// One listing finds the upload whatever its extension.
    private func find(_ fileID: UUID) async throws -> StoredObject? {
        do {
            let page = try await client.listPage(prefix: "uploads/\(fileID.lowercasedString).", pageSize: 4)
            return page.objects.first { object in
                UploadStore.extensions.contains { object.name == Self.uploadName(fileID, $0) }
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    public func read(_ upload: StoredUpload) async throws -> [UInt8] {
        do {
            return try await client.download(upload.name, maxBytes: Self.maxUploadObjectBytes)
        } catch .objectTooLarge(let limit) {
            // Not a storage problem: no wait makes it readable (the job fails as an unreadable image).
            throw CloudStorageError.objectTooLarge(limit: limit)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// The bytes are in memory already (the reply's layers): nothing to do before the upload.
    public func stageLayers(_ pngs: [[UInt8]], as set: LayerSet) async throws -> StagedLayers {
        StagedLayers(set: set, content: .bytes(pngs))
    }

    /// Uploads every layer at once; each write of the same job's layer is the same bytes, so it
    /// is retried and overwritten freely, and the client checks the stored size and CRC-32C
    /// against what was sent. Returns only when all are stored.
    public func commitLayers(_ staged: StagedLayers, _ layers: [LayerToStore]) async throws -> [LayerResult] {
        let set = staged.set
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, layer) in layers.enumerated() {
                    group.addTask {
                        _ = try await client.upload(
                            layer.png, as: Self.layerObject(set, index), contentType: "image/png",
                            idempotency: .overwriteIsIdempotent)
                    }
                }
                try await group.waitForAll()
            }
        } catch let error as CloudStorageError {
            throw Self.storageError(error)
        }
        return layers.enumerated().map { index, layer in Self.result(jobID: set.jobID, index: index, layer: layer) }
    }

    /// Server-side copies (`rewriteTo`), all at once: no layer's bytes pass through the worker.
    public func copyLayers(_ layers: [LayerResult], from source: LayerSet, to destination: LayerSet) async throws
        -> [LayerResult]
    {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for layer in layers {
                    group.addTask {
                        try await client.copy(Self.layerObject(source, layer.index), to: Self.layerObject(destination, layer.index))
                    }
                }
                try await group.waitForAll()
            }
        } catch let error as CloudStorageError {
            throw Self.storageError(error)
        }
        return layers.map { Self.result($0, ofJob: destination.jobID) }
    }

    public func discard(_ staged: StagedLayers) async {}

    public func layerForServing(_ set: LayerSet, index: Int) async throws -> ServedLayer {
        let name = Self.layerObject(set, index)
        if let signer {
            do {
                return .redirect(url: try await signer.signedURL(bucket: bucket, object: client.configuration.prefix + name).url)
            } catch {
                throw error.isRetryable ? StorageError.unavailable("cannot sign a URL: \(error)") : StorageError.failed("cannot sign a URL: \(error)")
            }
        }
        do {
            let object = try await client.metadata(name)
            let crc = object.crc32c.map { String($0, radix: 16) } ?? "0"
            return .stored(StoredLayer(
                size: Int(object.size), entityTag: "\"\(crc)-\(String(object.generation, radix: 16))\"", location: name))
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Downloaded to a temporary file in `scratch` and streamed from there: memory stays one read
    /// chunk per request whatever the layer's size; the server removes the file once sent.
    public func localFile(for layer: StoredLayer) async throws -> LocalLayerFile {
        let folder = scratch.appendingPathComponent("serving")
        let path = folder.appendingPathComponent("\(UUID().lowercasedString).png").path
        try await BlockingIO.run { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        do {
            try await client.download(layer.location, toFileAt: path)
        } catch {
            throw Self.storageError(error)
        }
        return LocalLayerFile(path: path, isTemporary: true)
    }

    /// Uploads one by one; results grouped by job (its newest object dates it).
    public func storedEntries() async throws -> [StoredEntry] {
        do {
            var jobs: [String: [StoredObject]] = [:]
            for object in try await client.list(prefix: "results/") {
                // results/{job}/{attempt}/layer_i.png, or results/{job}/layer_i.png from an earlier release.
                let parts = object.name.split(separator: "/")
                guard parts.count >= 3 else { continue }
                jobs[String(parts[1]), default: []].append(object)
            }
            let results = jobs.sorted { $0.key < $1.key }.map { job, objects in
                StoredEntry(
                    kind: .result, name: job, modified: objects.compactMap(\.updated).max() ?? .distantFuture,
                    size: objects.reduce(0) { $0 + $1.size }, locations: objects.map(\.name))
            }
            let uploads = try await client.list(prefix: "uploads/").map { object in
                StoredEntry(
                    kind: .upload, name: String(object.name.dropFirst("uploads/".count)),
                    modified: object.updated ?? .distantFuture, size: object.size, locations: [object.name])
            }
            return results + uploads
        } catch {
            throw Self.storageError(error)
        }
    }

    public func remove(_ entry: StoredEntry) async throws {
        do {
            for name in entry.locations { try await client.delete(name) }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// The bucket exists and takes a write: a probe object written and deleted.
    public func problem() async -> String? {
        let probe = "doctor-probe-\(UUID().lowercasedString)"
        do {
            _ = try await client.listPage(prefix: "", pageSize: 1)
            _ = try await client.upload(Array("probe".utf8), as: probe, contentType: "text/plain", idempotency: .overwriteIsIdempotent)
            try await client.delete(probe)
            return nil
        } catch .notFound {
            return "storage: bucket \(bucket) does not exist at \(client.configuration.endpoint) (GCS_BUCKET)"
        } catch .permissionDenied(let message) {
            return "storage: no permission to write to bucket \(bucket): \(message)"
        } catch .unavailable(let message, _) {
            return "storage: cannot reach Cloud Storage at \(client.configuration.endpoint) (GCS_API_ENDPOINT): \(message)"
        } catch {
            return "storage: bucket \(bucket) cannot be used: \(error)"
        }
    }

    static func storageError(_ error: CloudStorageError) -> any Error {
        switch error {
        case .notFound(let message): return StorageError.notFound(message)
        case .unavailable: return StorageError.unavailable("\(error)")
        case .cancelled: return CancellationError()
        default: return StorageError.failed("\(error)")
        }
    }

    static func storageError(_ error: any Error) -> any Error {
        (error as? CloudStorageError).map { storageError($0) } ?? error
    }
}
