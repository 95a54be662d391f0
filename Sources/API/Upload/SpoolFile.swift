#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import Synchronization
import SystemSupport

/// A file being written from a stream, with `BlockingIO` (never on an event
/// loop or the concurrency pool). Closed, then handed to the storage (which
/// renames or uploads it); removed if the upload is refused, so a refused
/// upload leaves nothing behind.
final class SpoolFile: Sendable {
    let path: String
    private let descriptor: Int32
    /// Set once the descriptor is closed, so it is never closed twice (by then its number
    /// may belong to another connection's file).
    private let closed = Atomic(false)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Creates `directory/.incoming-<uuid>` (the directory too if missing).
    static func create(in directory: URL) async throws -> SpoolFile {
        try await BlockingIO.run {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent(".incoming-\(UUID().lowercasedString)").path
            let descriptor = try systemCall("open", path: path) { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            return SpoolFile(path: path, descriptor: descriptor)
        }
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await BlockingIO.run { [descriptor, path] in
            try buffer.withUnsafeReadableBytes { try writeAll(descriptor, $0, path: path) }
        }
    }

    /// Closes the file (all written), so the storage can take it.
    func finishWriting() async {
        _ = try? await BlockingIO.run { [self] in closeOnce() }
    }

    /// Closes and removes the file; errors are ignored (nothing left to do).
    func discard() async {
        _ = try? await BlockingIO.run { [self] in
            closeOnce()
            unlink(path)
        }
    }

    private func closeOnce() {
        if closed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { close(descriptor) }
    }
}
