#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

extension UUID {
    /// A random (version 4) UUID from a buffer of the kernel's random bytes, refilled 4 KiB at a
    /// time: `UUID()` asks the kernel for 16 bytes each time (a `getrandom` call per id, 4.5 % of
    /// the API's CPU per enqueue). The bytes are the same kind (`/dev/urandom`, the kernel's
    /// CSPRNG), so ids stay unguessable: a job id is what lets a client read the job's results.
    public static func random() -> UUID {
        var bytes = RandomBytePool.shared.take16()
        bytes.6 = (bytes.6 & 0x0F) | 0x40  // version 4
        bytes.8 = (bytes.8 & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: bytes)
    }
}

/// Random bytes from `/dev/urandom` (read through one descriptor kept open), handed out 16 at a
/// time; each byte is handed out once.
private final class RandomBytePool: Sendable {
    static let shared = RandomBytePool()

    private static let capacity = 4096
    private let state = Mutex((bytes: [UInt8](repeating: 0, count: RandomBytePool.capacity), next: RandomBytePool.capacity))

    func take16() -> uuid_t {
        state.withLock { state in
            if state.next + 16 > Self.capacity {
                state.bytes.withUnsafeMutableBytes { Self.fill($0) }
                state.next = 0
            }
            defer { state.next += 16 }
            return state.bytes.withUnsafeBytes { raw in raw.loadUnaligned(fromByteOffset: state.next, as: uuid_t.self) }
        }
    }

    private static let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < buffer.count {
            do {
                let count = try systemCall("read", path: "/dev/urandom") { read(urandom, buffer.baseAddress! + filled, buffer.count - filled) }
                precondition(count > 0, "/dev/urandom ended")
                filled += count
            } catch {
                // Only on a machine without /dev/urandom, which nothing here runs without.
                preconditionFailure("no random bytes: \(error)")
            }
        }
    }
}
