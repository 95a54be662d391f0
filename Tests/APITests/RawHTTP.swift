import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// HTTP/1.1 over a plain socket, for what a polite client never sends: paths
/// with dot segments kept as they are, and slow chunked bodies.
enum RawHTTP {
    struct Reply {
        var status: Int
        var text: String
        var chunksSent: Int
    }

    /// Sends `request` verbatim (a full HTTP/1.1 message) and reads until the server closes or answers.
    static func exchange(port: Int, _ request: String) async throws -> Reply {
        try await onOwnThread { try blockingExchange(port: port, request) }
    }

    /// A chunked upload that stops sending as soon as the server has answered.
    static func chunkedUpload(
        port: Int, path: String, contentType: String, first: [UInt8], chunk: [UInt8], maxChunks: Int
    ) async throws -> Reply {
        try await onOwnThread {
            try blockingChunkedUpload(port: port, path: path, contentType: contentType, first: first, chunk: chunk, maxChunks: maxChunks)
        }
    }

    /// Sends `head` (ending in CRLF CRLF), reads what the server answers before
    /// any body is sent, then sends `body` unless the answer was final.
    static func expectContinue(port: Int, head: String, body: [UInt8]) async throws -> (interim: String, reply: Reply) {
        try await onOwnThread {
            let socket = try connect(port: port)
            defer { close(socket) }
            try send(socket, Array(head.utf8))
            guard readable(socket, timeoutMilliseconds: 10_000) else { return ("", Reply(status: 0, text: "", chunksSent: 0)) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(socket, &buffer, buffer.count, 0)
            let interim = String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
            guard interim.hasPrefix("HTTP/1.1 100") else {
                let status = interim.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
                return (interim, Reply(status: status, text: interim, chunksSent: 0))
            }
            try send(socket, body)
            return (interim, try readReply(socket, chunksSent: 1))
        }
    }

    /// Blocking socket calls never run on the concurrency pool (the server under test needs it).
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    private static func blockingExchange(port: Int, _ request: String) throws -> Reply {
        let socket = try connect(port: port)
        defer { close(socket) }
        try send(socket, Array(request.utf8))
        return try readReply(socket, chunksSent: 0)
    }

    private static func blockingChunkedUpload(
        port: Int, path: String, contentType: String, first: [UInt8], chunk: [UInt8], maxChunks: Int
    ) throws -> Reply {
        let socket = try connect(port: port)
        defer { close(socket) }
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\nTransfer-Encoding: chunked\r\n\r\n"
        try send(socket, Array(head.utf8) + framed(first))
        var sent = 0
        while sent < maxChunks {
            if readable(socket, timeoutMilliseconds: 200) { return try readReply(socket, chunksSent: sent) }
            do {
                try send(socket, framed(chunk))
            } catch {
                break  // the server closed the connection after answering
            }
            sent += 1
        }
        // The body is never ended: an answer now is one the server gave without reading it whole.
        guard readable(socket, timeoutMilliseconds: 30_000) else {
            return Reply(status: 0, text: "no answer within 30 s while the body was unfinished", chunksSent: sent)
        }
        return try readReply(socket, chunksSent: sent)
    }

    private static func framed(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8)
    }

    /// A socket connected to the loopback `port`, reads timing out after 30 s. `receiveBuffer`
    /// (bytes) is set before connecting, where it bounds the window the client offers.
    static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestSupportError("socket failed: \(errno)") }
        if var size = receiveBuffer { setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(socket)
            throw TestSupportError("connect failed: \(code)")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return socket
    }

    static func send(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestSupportError("send failed: \(errno)") }
            offset += written
        }
    }

    static func readable(_ socket: Int32, timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    /// Reads the status line, headers and a Content-Length body.
    private static func readReply(_ socket: Int32, chunksSent: Int) throws -> Reply {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if let split = text.range(of: "\r\n\r\n") {
                let head = text[..<split.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text[..<split.upperBound].utf8.count >= length { break }
            }
        }
        let text = String(decoding: received, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return Reply(status: status, text: text, chunksSent: chunksSent)
    }
}
