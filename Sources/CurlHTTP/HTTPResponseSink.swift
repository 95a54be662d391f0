import SystemSupport

/// Where a successful (2xx) response body goes instead of `HTTPResponse.body`, chunk by chunk as it
/// arrives, so a large download is never held in memory. Any other status keeps its body in memory
/// (it is an error message, read by the caller). `maxResponseBytes` bounds a streamed body too.
///
/// `consume` runs on the client's own thread, once per chunk, in order; it must not wait on anything
/// but the local disk. Throwing aborts the transfer, which then fails with `.other` naming the error.
public struct HTTPResponseSink: Sendable {
    public let consume: @Sendable (UnsafeRawBufferPointer) throws -> Void

    public init(_ consume: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) {
        self.consume = consume
    }

    /// Appends the body to an open file descriptor (from its current position).
    public static func file(descriptor: Int32, path: String? = nil) -> HTTPResponseSink {
        HTTPResponseSink { chunk in try writeAll(descriptor, chunk, path: path) }
    }
}
