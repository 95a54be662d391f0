#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// Writes a new file front to back through a buffer, numbers in big-endian byte order (PSD's), and
/// patches bytes written earlier with `pwrite(2)` — so lengths that are known only after the data
/// they describe (a PSD's section lengths, channel lengths, row byte counts) go in without keeping
/// the data in memory. Every call is retried on `EINTR` (`systemCall`). Blocking: run it off the
/// concurrency pool.
final class BigEndianFileWriter {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var flushedCount = 0
    private static let bufferCapacity = 1 << 20

    /// Creates `path` or truncates the file there.
    init(creating path: String) throws {
        self.path = path
        descriptor = try systemCall("open", path: path) {
            open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        buffer.reserveCapacity(Self.bufferCapacity)
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    /// Bytes written so far (buffered ones included): the offset the next byte goes to.
    var offset: Int { flushedCount + buffer.count }

    func write(_ byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= Self.bufferCapacity { try flush() }
    }

    func write(_ value: UInt16) throws { try write(bigEndian: value) }
    func write(_ value: Int16) throws { try write(bigEndian: value) }
    func write(_ value: UInt32) throws { try write(bigEndian: value) }
    func write(_ value: Int32) throws { try write(bigEndian: value) }

    /// A four-character code such as `8BPS` or `norm`.
    func write(signature: StaticString) throws {
        precondition(signature.utf8CodeUnitCount == 4, "a PSD signature has four bytes")
        try write(UnsafeRawBufferPointer(start: signature.utf8Start, count: 4))
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try write(raw) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.bufferCapacity { try flush() }
        if bytes.count >= Self.bufferCapacity {
            try writeAll(descriptor, bytes, path: path)
            flushedCount += bytes.count
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes `count` zero bytes, a placeholder to `patch` later, and returns where they start.
    func reserve(_ count: Int) throws -> Int {
        let start = offset
        try write([UInt8](repeating: 0, count: count))
        return start
    }

    /// Overwrites bytes already written at `position` (which must lie within them).
    func patch(_ bytes: UnsafeRawBufferPointer, at position: Int) throws {
        precondition(position >= 0 && position + bytes.count <= offset, "a patch must overwrite written bytes")
        try flush()
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = try systemCall("pwrite", path: path) {
                pwrite(descriptor, base + done, bytes.count - done, off_t(position + done))
            }
            guard written > 0 else { throw SystemCallError(call: "pwrite", path: path, code: EIO) }
            done += written
        }
    }

    func patch(_ value: UInt32, at position: Int) throws {
        try withUnsafeBytes(of: value.bigEndian) { raw in try patch(raw, at: position) }
    }

    /// Writes out the buffer and closes the file. Not `fsync`ed: whoever stores the file decides.
    func close() throws {
        try flush()
        let result = closeDescriptor(descriptor)
        descriptor = -1
        if result != 0 { throw SystemCallError(call: "close", path: path, code: errno) }
    }

    private func write<Value: FixedWidthInteger>(bigEndian value: Value) throws {
        try withUnsafeBytes(of: value.bigEndian) { raw in try write(raw) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in try writeAll(descriptor, raw, path: path) }
        flushedCount += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

/// `close(2)`, named apart from `BigEndianFileWriter.close()`. Never repeated after `EINTR` (on Linux
/// the descriptor is gone by then), hence not `systemCall`.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
