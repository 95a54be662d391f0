/// A request body read from an open file while libcurl sends it, so a file of any size goes out
/// without being loaded into memory. The bytes are read with `pread(2)` on the client's own thread
/// (never the Swift concurrency pool); the caller keeps the descriptor open until `send` returns.
/// Reading by offset, not from the descriptor's position, lets libcurl rewind (a request resent on a
/// fresh connection) and lets a caller send the same file again.
public struct HTTPBodyFile: Sendable, Equatable {
    public var descriptor: Int32
    /// Where the body starts in the file.
    public var offset: Int64
    /// How many bytes are sent (the request's `Content-Length`).
    public var length: Int64

    public init(descriptor: Int32, offset: Int64 = 0, length: Int64) {
        self.descriptor = descriptor
        self.offset = offset
        self.length = length
    }
}
