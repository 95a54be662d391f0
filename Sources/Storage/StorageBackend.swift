import DecomposerCore
import Foundation

/// Where uploads and layers live: the one seam the API, the worker and `decomposer cleanup` go
/// through. Two implementations: `FilesystemStorage` (`UPLOADS_DIR`, `RESULTS_DIR`; the default)
/// and `BucketStorage` (a Cloud Storage bucket, so the API and workers share nothing but Redis
/// and the bucket). No module but this one knows which is in use (`StorageBackends.make`).
///
/// Object names are the same in both: `uploads/{file_id}.{png|jpg}`,
/// `results/{job_id}/{attempt}/layer_{i}.png` and the exports beside them, `export.{psd|pptx|zip}` (`LayerSet`; under `GCS_PREFIX` in a bucket, under
/// the two folders on disk).
public protocol StorageBackend: Sendable {
    /// What the logs and `doctor` show: the backend and where it stores.
    var summary: String { get }

    /// Where the API spools an upload's body while it arrives, before `storeUpload`.
    ///
    /// The API takes the "spool to a bounded temp file, then upload" option rather than a
    /// resumable upload streamed as the body arrives: the upload is checked (size, structure,
    /// pixel cap) only once its last byte is in, and a refused upload must leave no object
    /// behind; a spooled file is checked first and sent whole, so the bucket never sees a refused
    /// one, memory stays one chunk per upload whatever its size, and the spool is bounded by
    /// `MAX_UPLOAD_BYTES`. On disk the spool is in `UPLOADS_DIR`, so storing it is one rename.
    var spoolDirectory: URL { get }

    /// Makes what the backend needs locally before serving (the folders on disk).
    func prepare() async throws

    /// Stores the closed spool file at `path` as the upload `fileID` and removes the spool.
    func storeUpload(spooledAt path: String, fileID: UUID, fileExtension: String) async throws

    /// Stores layer `index` of `set` (a completed job's) as the PNG upload `fileID`, so a job can
    /// split that layer further like any upload, and keeps it when the parent's layers are
    /// cleaned up. No bytes pass through this process where the backend allows (a hard link on
    /// disk, a server-side copy in a bucket); storing it again overwrites it with the same bytes.
    /// - Throws: `StorageError.notFound` when the layer is gone, `.unavailable` when storage cannot
    ///   be reached.
    func storeUpload(copyOfLayer index: Int, of set: LayerSet, fileID: UUID) async throws

    /// Whether the upload exists (every enqueue asks). - Throws: `StorageError.unavailable`.
    func uploadExists(_ fileID: UUID) async throws -> Bool

    /// The stored upload's name, size and version. - Throws: `StorageError.notFound` when there
    /// is none (never uploaded, or cleaned up), `.unavailable` when storage cannot be reached.
    func upload(_ fileID: UUID) async throws -> StoredUpload

    /// The upload's bytes. - Throws: as `upload(_:)`.
    func read(_ upload: StoredUpload) async throws -> [UInt8]

    /// Starts writing a job's layers (done while they are validated); `commitLayers` or
    /// `discard` follows.
    func stageLayers(_ pngs: [[UInt8]], as set: LayerSet) async throws -> StagedLayers

    /// Puts the staged layers in place; returns only once every layer is stored whole (size and
    /// hash checked), so a job is never completed with a layer missing. Writing them again
    /// (another delivery of the job) overwrites cleanly.
    func commitLayers(_ staged: StagedLayers, _ layers: [LayerToStore]) async throws -> [LayerResult]

    /// Drops staged layers that will not be committed.
    func discard(_ staged: StagedLayers) async

    /// Copies the layers `layers` of `source` (a completed job's, found in the result cache) into
    /// `destination`, without the bytes passing through this process where the backend allows
    /// (hard links on disk, server-side copies in a bucket). Returns the destination's results,
    /// once every layer is in place.
    /// - Throws: `StorageError.notFound` when a source layer is gone (cleaned up): the cache entry
    ///   is stale; `.unavailable` when storage cannot be reached.
    func copyLayers(_ layers: [LayerResult], from source: LayerSet, to destination: LayerSet) async throws -> [LayerResult]

    /// How to serve layer `index` of a set. - Throws: `StorageError.notFound` when it is gone.
    func layerForServing(_ set: LayerSet, index: Int) async throws -> ServedLayer

    /// A local file with the layer's bytes to stream to a client.
    func localFile(for layer: StoredLayer) async throws -> LocalLayerFile

    /// How to serve the set's stored export `export.{fileExtension}` (beside its layers), or nil
    /// when none was built yet. Served like a layer (entity tag, or a signed-URL redirect).
    func storedExport(_ set: LayerSet, fileExtension: String) async throws -> ServedLayer?

    /// A fresh local path to build the set's export at, on the same file system as where
    /// `storeExport` puts it (so storing it is one rename on disk). The caller removes it on failure.
    func exportBuildPath(_ set: LayerSet, fileExtension: String) async throws -> String

    /// Stores the closed file at `path` as the set's export (replacing one stored meanwhile: the
    /// same layers give the same export), flushed before it is visible; the file at `path` is gone
    /// afterwards.
    func storeExport(_ set: LayerSet, fileExtension: String, contentType: String, fileAt path: String) async throws

    /// Local files holding the set's layers `0..<count`, to build an export from (the stored
    /// files themselves on disk, downloaded copies from a bucket, which the caller removes).
    /// - Throws: `StorageError.notFound` when a layer is gone.
    func localLayerFiles(_ set: LayerSet, count: Int) async throws -> [LocalLayerFile]

    /// Every upload and every job's result set, for `decomposer cleanup`.
    func storedEntries() async throws -> [StoredEntry]

    /// Removes an upload or a job's result set.
    func remove(_ entry: StoredEntry) async throws

    /// `decomposer doctor`: nil when the storage can be read and written, else what is wrong in one line.
    func problem() async -> String?
}

extension StorageBackend {
    /// The job's `layers` entry for a stored layer (its URL is the API's path, whatever the backend).
    static func result(jobID: UUID, index: Int, layer: LayerToStore) -> LayerResult {
        let name = LayerSet.layerName(index)
        return LayerResult(
            index: index, filename: name, url: "/results/\(jobID.lowercasedString)/\(name)",
            sizeKB: (Double(layer.png.count) / 1024 * 10).rounded() / 10, width: layer.width, height: layer.height)
    }

    /// `layer` as listed by the job `jobID` (a copy from the cache: same file, the new job's URL).
    static func result(_ layer: LayerResult, ofJob jobID: UUID) -> LayerResult {
        var copy = layer
        copy.url = "/results/\(jobID.lowercasedString)/\(layer.filename)"
        return copy
    }
}
