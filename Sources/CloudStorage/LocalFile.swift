import Foundation
import SystemSupport

/// A file about to be uploaded: open, its size, and the CRC-32C of its bytes (read once, in 1 MiB
/// chunks, off the concurrency pool).
struct LocalFile: Sendable {
    let descriptor: Int32
    let size: Int64
    let crc32c: UInt32

    static func openForUpload(_ path: String) async throws(CloudStorageError) -> LocalFile {
        do {
            return try await BlockingIO.run {
                let descriptor = try systemCall("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
                do {
                    var crc = CRC32C()
                    var size: Int64 = 0
                    var chunk = [UInt8](repeating: 0, count: 1 << 20)
                    while true {
                        let count = try chunk.withUnsafeMutableBytes { buffer in
                            try systemCall("read", path: path) { read(descriptor, buffer.baseAddress, buffer.count) }
                        }
                        if count == 0 { break }
                        chunk.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                        size += Int64(count)
                    }
                    return LocalFile(descriptor: descriptor, size: size, crc32c: crc.value)
                } catch {
                    close(descriptor)
                    throw error
                }
            }
        } catch {
            throw .localFile("cannot read \(path) for upload: \(error)")
        }
    }
}
