#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import NIOPosix

/// A file being written from a stream, on NIO's blocking-I/O thread pool (never
/// on an event loop or the concurrency pool). Published by an atomic rename;
/// removed if the upload is refused, so a refused upload leaves nothing behind.
final class SpoolFile: @unchecked Sendable {
    let path: String
    private let descriptor: Int32
    private let pool: NIOThreadPool

    private init(path: String, descriptor: Int32, pool: NIOThreadPool) {
        self.path = path
        self.descriptor = descriptor
        self.pool = pool
    }

    /// Creates `directory/.incoming-<uuid>` (the directory too if missing).
    static func create(in directory: URL, pool: NIOThreadPool = .singleton) async throws -> SpoolFile {
        try await pool.runIfActive {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent(".incoming-\(UUID().uuidString.lowercased())").path
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw SpoolFileError(operation: "create \(path)", code: errno) }
            return SpoolFile(path: path, descriptor: descriptor, pool: pool)
        }
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await pool.runIfActive { [descriptor] in
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw SpoolFileError(operation: "write", code: errno)
                    }
                    offset += written
                }
            }
        }
    }

    /// Closes the file and renames it to `destination`.
    func publish(as destination: URL) async throws {
        try await pool.runIfActive { [descriptor, path] in
            close(descriptor)
            guard rename(path, destination.path) == 0 else { throw SpoolFileError(operation: "rename", code: errno) }
        }
    }

    /// Closes and removes the file; errors are ignored (nothing left to do).
    func discard() async {
        try? await pool.runIfActive { [descriptor, path] in
            close(descriptor)
            unlink(path)
        }
    }
}

struct SpoolFileError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}

/// `write(2)`, named apart from `SpoolFile.write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
