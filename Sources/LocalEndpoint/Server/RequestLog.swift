import Dispatch
import Foundation
import Synchronization
import SystemSupport

/// `--request-log PATH` / `ENDPOINT_REQUEST_LOG`: one JSON line
/// (`RequestLogEntry`) per `:predict` request, so a test or chaos suite can
/// count and time what really reached the endpoint instead of parsing log
/// sentences.
///
/// A line is written when the request ends. The handler always runs to its
/// end, even when the client has gone (timed out, or cancelled by a worker
/// shutting down), so such requests are counted too; an injected hang is
/// recorded when it ends, at the latest at graceful shutdown.
///
/// Lines are appended (a restarted endpoint adds to the same file) by one
/// serial dispatch queue, so no file write happens on the Swift concurrency
/// pool, `record` never waits, and lines keep their order and all precede
/// `close()`'s (which `BlockingIO`'s concurrent queue would not promise);
/// `close()` returns once every line is in the file.
public final class RequestLog: Sendable {
    public static let flag = "--request-log"
    public static let environmentKey = "ENDPOINT_REQUEST_LOG"

    public let path: String
    /// The open file; -1 once closed. Only touched on `writes`.
    private let descriptor: Mutex<Int32>
    private let writes = DispatchQueue(label: "local-endpoint-request-log")

    /// Opens (creating if needed) `path` for appending.
    /// - Throws: `RequestLogError` naming the path and the system's reason.
    public init(path: String) throws(RequestLogError) {
        let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw RequestLogError(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        descriptor = Mutex(opened)
    }

    /// Queues `entry`'s line; never blocks the caller.
    func record(_ entry: RequestLogEntry) {
        let line = Array((entry.jsonLine + "\n").utf8)
        writes.async { [self] in
            descriptor.withLock { file in
                guard file >= 0 else { return }
                // One write(2) of a short line with O_APPEND: lines never interleave.
                // A line that cannot be written (a full disk) is dropped: the endpoint keeps serving.
                try? line.withUnsafeBytes { try writeAll(file, $0) }
            }
        }
    }

    /// Writes every queued line, then closes the file; later entries are dropped.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writes.async { [self] in
                descriptor.withLock { file in
                    if file >= 0 { _ = Foundation.close(file) }
                    file = -1
                }
                continuation.resume()
            }
        }
    }
}
