import Foundation
import SystemSupport
import Synchronization

/// A loopback HTTP/1.1 server for tests, on raw sockets so it can misbehave
/// on purpose: answer slowly, drop the connection mid-body, or never answer.
/// Keep-alive is supported, so connection reuse can be observed.
public final class TestHTTPServer: Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        /// Lowercased names.
        public let headers: [String: String]
        public let body: [UInt8]
    }

    public enum Reply: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: [UInt8] = [], delay: Duration = .zero)
        /// Sends the headers (announcing the whole body) and `bytes` of the body, then closes.
        case dropMidBody(status: Int, body: [UInt8], bytes: Int)
        /// Sends the head, runs `beforeBody` on the connection's thread (it may block, bounded), then the body:
        /// what a client does between a reply's head and its body becomes observable.
        case headThenBody(status: Int, headers: [String: String] = [:], body: [UInt8], beforeBody: @Sendable () -> Void)
        /// Reads the request and never answers (until the server stops).
        case hang
        /// Closes the connection without a word.
        case close

        public static func json(
            _ status: Int, _ text: String, headers: [String: String] = [:], delay: Duration = .zero
        ) -> Reply {
            var all = headers
            all["Content-Type"] = "application/json"
            return .respond(status: status, headers: all, body: Array(text.utf8), delay: delay)
        }
    }

    private struct State {
        var connections: Set<Int32> = []
        var stopped = false
        var accepted = 0
        var inFlight = 0
        var maxInFlight = 0
        var requests = 0
        var abandoned = 0
    }

    public let port: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let handler: @Sendable (Request) -> Reply

    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        (listener, port) = try LoopbackSocket.bound(listening: 128)
        self.handler = handler
        Thread.startNamed("test-http-accept") { [self] in acceptLoop() }
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// TCP connections accepted so far.
    public var acceptedConnections: Int { state.withLock { $0.accepted } }
    public var requestCount: Int { state.withLock { $0.requests } }
    /// Hung requests whose client closed the connection (an aborted transfer).
    public var abandonedRequests: Int { state.withLock { $0.abandoned } }
    /// The most requests that were being handled at the same moment.
    public var maxConcurrentRequests: Int { state.withLock { $0.maxInFlight } }

    /// Idempotent. Descriptors are shut down under the lock, and only the
    /// first time: once closed, their numbers may belong to another socket.
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if isStopped { break }
                continue
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.accepted += 1
                state.connections.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                break
            }
            // A thread per connection: its reads block, which must never
            // happen on the Swift concurrency pool.
            Thread.startNamed("test-http-conn") { [self] in serve(fd) }
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer) {
            state.withLock { state in
                state.requests += 1
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
            }
            let reply = handler(request)
            var answered = false
            func answering() {
                if !answered { state.withLock { $0.inFlight -= 1 } }
                answered = true
            }
            let keepOpen = send(reply, on: fd, answering: answering)
            answering()
            if !keepOpen { return }
        }
    }

    /// `answering` is called as the answer begins to go out: a request counts as in flight
    /// (`maxConcurrentRequests`) while it is being worked on, as an endpoint's call is, not while
    /// its bytes travel.
    private func send(_ reply: Reply, on fd: Int32, answering: () -> Void) -> Bool {
        switch reply {
        case .respond(let status, let headers, let body, let delay):
            if delay > .zero { Thread.sleep(forTimeInterval: delay / .seconds(1)) }
            answering()
            return write(fd, head(status, headers, contentLength: body.count), body)
        case .headThenBody(let status, let headers, let body, let beforeBody):
            answering()
            guard write(fd, head(status, headers, contentLength: body.count)) else { return false }
            beforeBody()
            return write(fd, body)
        case .dropMidBody(let status, let body, let bytes):
            _ = write(fd, head(status, ["Content-Type": "application/json"], contentLength: body.count) + body.prefix(bytes))
            return false
        case .hang:
            while !isStopped {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 20) > 0 else { continue }
                let hungUp = pfd.revents & Int16(POLLHUP | POLLERR) != 0
                var byte: UInt8 = 0
                // Only EOF (0) or a hang-up means the client gave up; anything else is a spurious wake-up.
                if hungUp || recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0 {
                    state.withLock { $0.abandoned += 1 }
                    return false
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        case .close:
            return false
        }
    }

    private func head(_ status: Int, _ headers: [String: String], contentLength: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(contentLength)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// The head and the body in one `sendmsg` each round, without first copying them into one array:
    /// the benchmarks' endpoint sends megabytes a reply, and its CPU counts in the worker's figure.
    private func write(_ fd: Int32, _ head: [UInt8], _ body: [UInt8]) -> Bool {
        var offset = 0
        let total = head.count + body.count
        while offset < total {
            let sent = head.withUnsafeBytes { headBytes in
                body.withUnsafeBytes { bodyBytes in
                    var parts: [iovec] = []
                    for (bytes, start) in [(headBytes, offset), (bodyBytes, offset - headBytes.count)] {
                        let from = max(start, 0)
                        guard from < bytes.count, let base = bytes.baseAddress else { continue }
                        parts.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + from), iov_len: bytes.count - from))
                    }
                    return parts.withUnsafeMutableBufferPointer { vector in
                        var message = msghdr()
                        message.msg_iov = vector.baseAddress
                        message.msg_iovlen = vector.count
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let range = buffer.firstRange(of: separator) {
                headerEnd = range.upperBound
            } else if !fill(fd, &buffer) {
                return nil
            }
        }
        guard let headerEnd else { return nil }
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < headerEnd + length {
            if !fill(fd, &buffer) { return nil }
        }
        let body = Array(buffer[headerEnd..<(headerEnd + length)])
        buffer.removeFirst(headerEnd + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status"
        }
    }
}
