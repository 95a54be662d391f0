import Foundation
import ZIPFoundation

/// Adding entries the way exports need: a file streamed from disk (its bytes never held whole),
/// or a small generated part (XML, JSON), each with a given date so a rebuild says the same.
extension Archive {
    func addFile(_ name: String, from path: String, size: Int64, date: Date, compression: CompressionMethod = .none) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ExportLayerError.unreadableLayer(path) }
        defer { try? handle.close() }
        try addEntry(
            with: name, type: .file, uncompressedSize: size, modificationDate: date, permissions: 0o644,
            compressionMethod: compression, bufferSize: LayerFileFacts.chunkSize
        ) { position, count in
            try handle.seek(toOffset: UInt64(position))
            return try handle.read(upToCount: count) ?? Data()
        }
    }

    func addText(_ name: String, _ text: String, date: Date) throws {
        let data = Data(text.utf8)
        try addEntry(
            with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: date, permissions: 0o644,
            compressionMethod: .deflate
        ) { position, count in
            data.subdata(in: Int(position)..<Int(position) + count)
        }
    }

    /// A new archive at `path` (any file there is replaced).
    static func creating(at path: String) throws -> Archive {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        return try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
    }
}
