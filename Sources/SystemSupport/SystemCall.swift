#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes a system call that reports failure as -1 with `errno`, calling it
/// again when a signal interrupted it (`EINTR`), as swift-nio's `syscall`
/// does. Any other failure is thrown as `SystemCallError` naming `call` (and
/// `path` when given). Not for `close(2)`, which must not be repeated after
/// `EINTR` on Linux.
@discardableResult
public func systemCall<Result: FixedWidthInteger>(
    _ call: String, path: String? = nil, _ body: () -> Result
) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemCallError(call: call, path: path, code: code)
    }
}

/// Writes every byte of `bytes` to `descriptor`, however many `write(2)`
/// calls that takes (a write may be short; an interrupted one is repeated).
public func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String? = nil) throws(SystemCallError) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let written = try systemCall("write", path: path) { write(descriptor, base + offset, bytes.count - offset) }
        // write(2) returns 0 only when it cannot make progress; don't spin on it.
        guard written > 0 else { throw SystemCallError(call: "write", path: path, code: EIO) }
        offset += written
    }
}

/// Flushes a folder's entries (`fsync` on the directory), so files renamed or linked into it
/// survive a crash of the machine, not only of the process.
public func flushDirectory(_ path: String) throws(SystemCallError) {
    let directory = try systemCall("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    defer { close(directory) }
    try systemCall("fsync", path: path) { fsync(directory) }
}
