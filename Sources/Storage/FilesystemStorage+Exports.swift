import Foundation
import SystemSupport

/// Exports on disk: `RESULTS_DIR/{job_id}/{attempt}/export.{ext}`, built under a temporary name in
/// the same folder, flushed, renamed into place, and the folder flushed.
extension FilesystemStorage {
    public func storedExport(_ set: LayerSet, fileExtension: String) async throws -> ServedLayer? {
        let path = writer.resultsDirectory.appendingPathComponent(set.exportPath(fileExtension)).path
        let identity = try? await BlockingIO.run { try FileIdentity(path: path) }
        return identity.map { .stored(StoredLayer(size: $0.size, entityTag: $0.entityTag, location: path)) }
    }

    public func exportBuildPath(_ set: LayerSet, fileExtension: String) async throws -> String {
        let folder = writer.folder(of: set)
        guard try await BlockingIO.run({ access(folder, F_OK) == 0 }) else {
            throw StorageError.notFound("\(set) is no longer stored")
        }
        return "\(folder)/.export.\(fileExtension).\(UUID().lowercasedString).tmp"
    }

    public func storeExport(_ set: LayerSet, fileExtension: String, contentType: String, fileAt path: String) async throws {
        let destination = writer.resultsDirectory.appendingPathComponent(set.exportPath(fileExtension)).path
        let folder = writer.folder(of: set)
        try await BlockingIO.run {
            do {
                let file = try systemCall("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
                defer { close(file) }
                try systemCall("fsync", path: path) { fsync(file) }
                try systemCall("rename", path: destination) { rename(path, destination) }
            } catch {
                unlink(path)
                throw error
            }
            try flushDirectory(folder)
        }
    }

    public func localLayerFiles(_ set: LayerSet, count: Int) async throws -> [LocalLayerFile] {
        let paths = (0..<count).map { writer.resultsDirectory.appendingPathComponent(set.path($0)).path }
        let missing = try await BlockingIO.run { paths.firstIndex { access($0, R_OK) != 0 } }
        if let index = missing {
            throw StorageError.notFound("\(LayerSet.layerName(index)) of job \(set.jobID.lowercasedString) is no longer stored")
        }
        return paths.map { LocalLayerFile(path: $0, isTemporary: false) }
    }
}
