import Foundation

/// Where uploads live: `UPLOADS_DIR/{file_id}.png` or `.jpg`, the extension
/// from the content (never from the client's file name).
public struct UploadStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public static let extensions = ["png", "jpg"]

    public func url(for fileID: UUID, fileExtension: String) -> URL {
        directory.appendingPathComponent("\(fileID.uuidString.lowercased()).\(fileExtension)")
    }

    /// The stored upload, or nil when there is none (never uploaded, or cleaned up).
    public func existingFile(for fileID: UUID) -> URL? {
        Self.extensions.map { url(for: fileID, fileExtension: $0) }.first {
            FileManager.default.fileExists(atPath: $0.path)
        }
    }
}
