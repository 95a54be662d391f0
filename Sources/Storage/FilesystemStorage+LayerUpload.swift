import Foundation
import SystemSupport

extension FilesystemStorage {
    /// A hard link (a copy across filesystems; `FilePlacement`) under a spool name in `UPLOADS_DIR`,
    /// renamed into place: a reader never sees half a file, and the upload outlives the parent's folder.
    public func storeUpload(copyOfLayer index: Int, of set: LayerSet, fileID: UUID) async throws {
        let original = "\(writer.folder(of: set))/\(LayerSet.layerName(index))"
        let destination = uploads.url(for: fileID, fileExtension: "png").path
        let temporary = uploads.directory.appendingPathComponent(".incoming-\(UUID().lowercasedString)").path
        try await BlockingIO.run {
            try FilePlacement.linkOrCopy(
                original, to: destination, through: temporary,
                missing: .notFound("\(LayerSet.layerName(index)) of job \(set.jobID.lowercasedString) is no longer stored"))
        }
    }
}
