import Foundation
import SystemSupport
import TestSupport

/// A WebSocket client on a bare socket that reads only when told, with the smallest receive
/// buffer the kernel allows: left alone after the handshake, the server's writes to it stall
/// after a few kilobytes (a client that cannot keep up), and it answers no ping. `frames()` /
/// `drain()` then read everything the server sent, up to its close frame or the end of the
/// connection (or 30 s of silence: `RawHTTP.connect`); `send` writes a masked frame, as a client must.
final class RawWebSocket: Sendable {
    private let descriptor: Int32

    /// Connects to `path` on the loopback `port` and completes the opening handshake.
    init(port: Int, path: String) async throws {
        let fd = try await Self.connect(port: port, path: path)
        descriptor = fd
        // The response head only: everything after it is left unread for now.
        var head: [UInt8] = []
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            let byte = try await BlockingIO.run { () -> UInt8? in
                var byte: UInt8 = 0
                return read(fd, &byte, 1) == 1 ? byte : nil
            }
            guard let byte else { throw TestSupportError("the connection closed during the handshake") }
            head.append(byte)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw TestSupportError("no upgrade: \(String(decoding: head, as: UTF8.self))")
        }
    }

    /// The server's whole answer to a handshake it refuses (head and body, up to its close).
    static func refusal(port: Int, path: String) async throws -> String {
        let fd = try await connect(port: port, path: path)
        defer { close(fd) }
        var answer: [UInt8] = []
        while true {
            let chunk = try await BlockingIO.run { () -> [UInt8] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(fd, &buffer, buffer.count)
                return count > 0 ? Array(buffer[0..<count]) : []
            }
            if chunk.isEmpty { return String(decoding: answer, as: UTF8.self) }
            answer += chunk
        }
    }

    /// A connected socket with the opening handshake for `path` sent.
    private static func connect(port: Int, path: String) async throws -> Int32 {
        let fd = try await BlockingIO.run { try RawHTTP.connect(port: port, receiveBuffer: 1024) }
        let handshake = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try Array(handshake.utf8).withUnsafeBytes { try writeAll(fd, $0) }
        return fd
    }

    /// Writes one masked frame (RFC 6455 §5.3: a client masks every frame).
    func send(opcode: UInt8, payload: [UInt8]) throws {
        precondition(payload.count < 126, "short frames only")
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        let frame = [0x80 | opcode, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $1 ^ mask[$0 % 4] }
        try frame.withUnsafeBytes { try writeAll(descriptor, $0) }
    }

    /// Writes one frame without a mask, which no client may send.
    func sendUnmasked(opcode: UInt8, payload: [UInt8]) throws {
        precondition(payload.count < 126, "short frames only")
        try ([0x80 | opcode, UInt8(payload.count)] + payload).withUnsafeBytes { try writeAll(descriptor, $0) }
    }

    /// Reads every frame until a close frame (or the end of the connection): the text
    /// messages, and the close code (nil when the connection ended without one).
    func drain() async throws -> (messages: [String], closeCode: Int?) {
        let frames = try await frames()
        let messages = frames.filter { $0.opcode == 0x1 }.map { String(decoding: $0.payload, as: UTF8.self) }
        guard let close = frames.last, close.opcode == 0x8 else { return (messages, nil) }
        return (messages, close.payload.count >= 2 ? Int(close.payload[0]) << 8 | Int(close.payload[1]) : nil)
    }

    /// Every frame the server sent until its close frame (included) or the end of the connection.
    func frames() async throws -> [(opcode: UInt8, payload: [UInt8])] {
        let fd = descriptor
        var bytes: [UInt8] = []
        var frames: [(opcode: UInt8, payload: [UInt8])] = []
        var offset = 0
        while true {
            // Parse what has arrived: server frames are unmasked (RFC 6455 §5.1).
            while let frame = Self.frame(in: bytes, at: offset) {
                offset = frame.end
                frames.append((frame.opcode, Array(bytes[frame.payload])))
                if frame.opcode == 0x8 { return frames }
            }
            let chunk = try await BlockingIO.run { () -> [UInt8] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(fd, &buffer, buffer.count)
                return count > 0 ? Array(buffer[0..<count]) : []
            }
            if chunk.isEmpty { return frames }
            bytes += chunk
        }
    }

    private static func frame(in bytes: [UInt8], at start: Int) -> (opcode: UInt8, payload: Range<Int>, end: Int)? {
        guard bytes.count - start >= 2 else { return nil }
        let opcode = bytes[start] & 0x0F
        var length = Int(bytes[start + 1] & 0x7F)
        var header = 2
        if length == 126 {
            guard bytes.count - start >= 4 else { return nil }
            length = Int(bytes[start + 2]) << 8 | Int(bytes[start + 3])
            header = 4
        } else if length == 127 {
            guard bytes.count - start >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[start + $1]) }
            header = 10
        }
        guard bytes.count - start >= header + length else { return nil }
        return (opcode, (start + header)..<(start + header + length), start + header + length)
    }

    deinit { close(descriptor) }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
