import CurlHTTP
import Foundation
import Synchronization
import SystemSupport

/// The file a download streams into, and the CRC-32C and size of what it has written. Written on the
/// HTTP client's thread (the sink); restarted and closed off the concurrency pool.
final class DownloadFileWriter: Sendable {
    private struct Progress {
        var crc = CRC32C()
        var size: Int64 = 0
        var closed = false
    }

    let path: String
    private let descriptor: Int32
    private let progress = Mutex(Progress())

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    static func create(_ path: String) async throws(CloudStorageError) -> DownloadFileWriter {
        do {
            let descriptor = try await BlockingIO.run {
                try systemCall("open", path: path) { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            }
            return DownloadFileWriter(path: path, descriptor: descriptor)
        } catch {
            throw .localFile("cannot create \(path) for a download: \(error)")
        }
    }

    /// Appends each chunk and counts it.
    var sink: HTTPResponseSink {
        HTTPResponseSink { [self] chunk in
            try writeAll(descriptor, chunk, path: path)
            progress.withLock { progress in
                progress.crc.update(chunk)
                progress.size += Int64(chunk.count)
            }
        }
    }

    var written: (size: Int64, crc32c: UInt32) { progress.withLock { ($0.size, $0.crc.value) } }

    /// Empties the file before an attempt, so a retried download does not append to a partial one.
    func restart() async throws(CloudStorageError) {
        let needed = progress.withLock { progress -> Bool in
            defer { progress = Progress() }
            return progress.size > 0
        }
        guard needed else { return }
        let descriptor = descriptor
        let path = path
        do {
            try await BlockingIO.run {
                try systemCall("ftruncate", path: path) { ftruncate(descriptor, 0) }
                try systemCall("lseek", path: path) { lseek(descriptor, 0, SEEK_SET) }
            }
        } catch {
            throw .localFile("cannot restart the download into \(path): \(error)")
        }
    }

    func close() {
        let first = progress.withLock { progress -> Bool in
            defer { progress.closed = true }
            return !progress.closed
        }
        if first { Glibc.close(descriptor) }
    }
}
