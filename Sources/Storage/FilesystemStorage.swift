import DecomposerCore
import Foundation
import SystemSupport

/// Uploads in `UPLOADS_DIR/{file_id}.{png|jpg}`, layers in `RESULTS_DIR/{job_id}/{attempt}/layer_{i}.png`:
/// one machine, or every process on one shared volume. The default (`STORAGE_BACKEND=filesystem`).
public struct FilesystemStorage: StorageBackend {
    public let uploads: UploadStore
    public let writer: LayerWriter

    public init(uploadsDirectory: URL, resultsDirectory: URL) {
        uploads = UploadStore(directory: uploadsDirectory)
        writer = LayerWriter(resultsDirectory: resultsDirectory)
    }

    public var summary: String { "filesystem (uploads in \(uploads.directory.path), layers in \(writer.resultsDirectory.path))" }

    public var spoolDirectory: URL { uploads.directory }

    public func prepare() async throws {
        try await BlockingIO.run { [uploads, writer] in
            for directory in [uploads.directory, writer.resultsDirectory] {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            }
        }
    }

    public func storeUpload(spooledAt path: String, fileID: UUID, fileExtension: String) async throws {
        let destination = uploads.url(for: fileID, fileExtension: fileExtension).path
        try await BlockingIO.run { _ = try systemCall("rename", path: destination) { rename(path, destination) } }
    }

    /// `access(2)` on a path string, on the calling task: it is the enqueue hot path (see `UploadStore`).
    public func uploadExists(_ fileID: UUID) async throws -> Bool { uploads.contains(fileID) }

    public func upload(_ fileID: UUID) async throws -> StoredUpload {
        guard let file = uploads.existingFile(for: fileID) else {
            throw StorageError.notFound("the uploaded file \(fileID.lowercasedString) no longer exists")
        }
        do {
            return try await BlockingIO.run { try Self.identity(file.path) }
        } catch {
            throw StorageError.notFound("the uploaded file \(fileID.lowercasedString) no longer exists")
        }
    }

    public func read(_ upload: StoredUpload) async throws -> [UInt8] {
        try await BlockingIO.run { Array(try Data(contentsOf: URL(fileURLWithPath: upload.name))) }
    }

    public func stageLayers(_ pngs: [[UInt8]], as set: LayerSet) async throws -> StagedLayers {
        StagedLayers(set: set, content: .files(try await writer.stage(pngs, as: set)))
    }

    public func commitLayers(_ staged: StagedLayers, _ layers: [LayerToStore]) async throws -> [LayerResult] {
        guard case .files(let files) = staged.content else { preconditionFailure("layers staged by another backend") }
        return try await writer.commit(files, layers)
    }

    public func discard(_ staged: StagedLayers) async {
        if case .files(let files) = staged.content { await writer.discard(files) }
    }

    /// Hard links: the new job's files share the cached job's bytes and outlive their cleanup.
    public func copyLayers(_ layers: [LayerResult], from source: LayerSet, to destination: LayerSet) async throws
        -> [LayerResult]
    {
        try await writer.link(count: layers.count, from: source, to: destination)
        return layers.map { Self.result($0, ofJob: destination.jobID) }
    }

    /// The path is built from the job's id, attempt and the layer's index, never from the request.
    public func layerForServing(_ set: LayerSet, index: Int) async throws -> ServedLayer {
        let path = writer.resultsDirectory.appendingPathComponent(set.path(index)).path
        do {
            let identity = try await BlockingIO.run { try FileIdentity(path: path) }
            return .stored(StoredLayer(size: identity.size, entityTag: identity.entityTag, location: path))
        } catch {
            throw StorageError.notFound("\(LayerSet.layerName(index)) of job \(set.jobID.lowercasedString) is no longer stored")
        }
    }

    public func localFile(for layer: StoredLayer) async throws -> LocalLayerFile {
        LocalLayerFile(path: layer.location, isTemporary: false)
    }

    /// Listing thousands of files blocks: off the concurrency pool.
    public func storedEntries() async throws -> [StoredEntry] {
        try await BlockingIO.run { [uploads, writer] in
            try Self.entries(in: writer.resultsDirectory, kind: .result) + Self.entries(in: uploads.directory, kind: .upload)
        }
    }

    public func remove(_ entry: StoredEntry) async throws {
        try await BlockingIO.run {
            for path in entry.locations { try FileManager.default.removeItem(atPath: path) }
        }
    }

    /// A folder that exists must be writable (a missing one is made when the API starts).
    public func problem() async -> String? {
        for directory in [uploads.directory, writer.resultsDirectory] {
            let path = directory.path
            if access(path, F_OK) == 0, access(path, W_OK) != 0 {
                return "storage: the folder \(path) is not writable"
            }
        }
        return nil
    }

    /// Path, size and modification time in ns: what the prepared-image cache keys uploads by.
    static func identity(_ path: String) throws -> StoredUpload {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        #if os(Linux)
        let time = info.st_mtim
        #else
        let time = info.st_mtimespec
        #endif
        return StoredUpload(name: path, size: Int(info.st_size), version: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    private static func entries(in directory: URL, kind: StoredEntry.Kind) throws -> [StoredEntry] {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: directory.path) else { return [] }
        let keys: [URLResourceKey] = [.contentModificationDateKey, .isDirectoryKey, .fileSizeKey]
        return try fileManager.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys).map { url in
            let values = try url.resourceValues(forKeys: Set(keys))
            var size = Int64(values.fileSize ?? 0)
            if values.isDirectory == true {
                // A job's folder holds a folder per attempt.
                let files = fileManager.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey])?.allObjects ?? []
                size = files.compactMap { $0 as? URL }
                    .reduce(0) { $0 + Int64((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
            }
            return StoredEntry(
                kind: kind, name: url.lastPathComponent, modified: values.contentModificationDate ?? .distantFuture,
                size: size, locations: [url.path])
        }
    }
}
