import Foundation
import SystemSupport

extension FilesystemStorage {
    /// A hard link (a copy across filesystems) under a temporary name in `UPLOADS_DIR`, renamed
    /// into place: a reader never sees half a file, and the upload outlives the parent's folder.
    public func storeUpload(copyOfLayer index: Int, of set: LayerSet, fileID: UUID) async throws {
        let original = "\(writer.folder(of: set))/\(LayerSet.layerName(index))"
        let destination = uploads.url(for: fileID, fileExtension: "png").path
        let temporary = uploads.directory.appendingPathComponent(".incoming-\(UUID().lowercasedString)").path
        try await BlockingIO.run {
            do {
                try systemCall("link", path: original) { link(original, temporary) }
            } catch let error as SystemCallError where error.code == ENOENT {
                throw StorageError.notFound("\(LayerSet.layerName(index)) of job \(set.jobID.lowercasedString) is no longer stored")
            } catch let error as SystemCallError where [EXDEV, EPERM, EMLINK].contains(error.code) {
                try FileManager.default.copyItem(atPath: original, toPath: temporary)
            }
            do {
                try systemCall("rename", path: destination) { rename(temporary, destination) }
            } catch {
                unlink(temporary)
                throw error
            }
        }
    }
}
