import Crypto
import Foundation
import ImageCodec

/// What an export says about one layer file: its size, pixel dimensions and SHA-256, read in one
/// streamed pass (64 KiB at a time), so a large layer never sits in memory whole.
struct LayerFileFacts: Sendable {
    let size: Int64
    let width: Int
    let height: Int
    let sha256: String

    static let chunkSize = 64 * 1024

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ExportLayerError.unreadableLayer(path) }
        defer { try? handle.close() }
        var hasher = SHA256()
        var head: [UInt8] = []
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty {
            hasher.update(data: chunk)
            if head.count < 64 { head += chunk.prefix(64 - head.count) }
            size += Int64(chunk.count)
        }
        let header: ImageHeader
        do {
            header = try ImageHeader.probe(head)
        } catch {
            throw ExportLayerError.notAnImage(path, "\(error)")
        }
        self.size = size
        width = header.width
        height = header.height
        sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The file's last modification, used as every entry's date so an archive built twice from the
    /// same layers says the same.
    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
    }
}
