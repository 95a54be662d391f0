/// One HTTP exchange to perform. Bodies are bytes: prediction requests carry
/// megabytes of base64 and are never copied into a String.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// A body streamed from a file instead of `body` (a request has one or the other).
    public var bodyFile: HTTPBodyFile?
    /// Where a 2xx response body goes; nil keeps it in `HTTPResponse.body`.
    public var responseSink: HTTPResponseSink?
    /// Bound on the whole exchange (connect, send, wait, receive).
    public var timeout: Duration
    public var connectTimeout: Duration
    /// A response body larger than this aborts the transfer, so a runaway
    /// server cannot exhaust memory.
    public var maxResponseBytes: Int
    /// Where to connect instead of what the URL names (libcurl's `CURLOPT_CONNECT_TO`, entries
    /// `HOST:PORT:ADDRESS:PORT`; `::ADDRESS:PORT` for any host and port): no lookup of its own and no
    /// proxy, so the address a caller checked is the one used, whatever host libcurl reads in the
    /// URL (webhooks).
    public var connectTo: [String] = []
    /// True: a response body over `maxResponseBytes` is cut there and the response kept (its status
    /// is what the caller needs: a webhook receiver's long 200 page is still a delivery), instead of
    /// failing with `responseTooLarge`.
    public var truncatesResponse = false
    /// Called once, on the client's thread, when the final response's status line and headers are
    /// in and before its body (an interim 1xx response does not count), with the status. What the
    /// server had to do is done by then; the rest is transfer. It must return at once.
    public var onResponseHead: (@Sendable (Int) -> Void)?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10), maxResponseBytes: Int = 64 << 20,
        bodyFile: HTTPBodyFile? = nil, responseSink: HTTPResponseSink? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.bodyFile = bodyFile
        self.responseSink = responseSink
    }
}

/// A complete response. Header names are lowercased; a repeated header keeps its last value.
/// `body` is empty when a 2xx body went to the request's `responseSink`.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no complete response arrived. Callers classify these (retryable or not);
/// the messages never contain request headers, so no token can leak.
public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Refused, unreachable, DNS failure: nothing was sent.
    case connectFailed(String)
    case timedOut(Duration)
    /// The connection closed or reset before the response was complete.
    case connectionDropped(String)
    case responseTooLarge(limit: Int)
    /// Certificate or handshake failure.
    case tls(String)
    /// The caller's task was cancelled and the transfer aborted. `requestSent`: whether the
    /// request had begun to go out (the server may have acted on it), or surely had not.
    case cancelled(requestSent: Bool)
    case other(String)

    public var description: String {
        switch self {
        case .connectFailed(let why): return "could not connect: \(why)"
        case .timedOut(let limit): return "no complete response within \(limit)"
        case .connectionDropped(let why): return "connection dropped before the response was complete: \(why)"
        case .responseTooLarge(let limit): return "response larger than \(limit) bytes"
        case .tls(let why): return "TLS failure: \(why)"
        case .cancelled(let sent): return sent ? "cancelled after the request was sent" : "cancelled before sending"
        case .other(let why): return why
        }
    }
}
