import Foundation
import SystemSupport
import TestSupport

/// A WebSocket watcher that opens the connection and then reads nothing, on a socket with
/// the smallest receive buffer the kernel allows, so the server's writes to it stall after a
/// few kilobytes: a client that cannot keep up. `drain()` then reads everything the server
/// sent, up to its close frame or the end of the connection.
final class StalledWebSocket: Sendable {
    private let descriptor: Int32

    /// Connects to `path` on the loopback `port` and completes the opening handshake.
    init(port: Int, path: String) async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        descriptor = fd
        var size: Int32 = 1024
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = try await BlockingIO.run { [address] in
            var address = address
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
        guard connected else { throw TestSupportError("connect() failed") }
        let handshake = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try Array(handshake.utf8).withUnsafeBytes { try writeAll(fd, $0) }
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

    /// Reads every frame until a close frame (or the end of the connection): the text
    /// messages, and the close code (nil when the connection ended without one).
    func drain() async throws -> (messages: [String], closeCode: Int?) {
        let fd = descriptor
        var bytes: [UInt8] = []
        var messages: [String] = []
        var offset = 0
        while true {
            // Parse what has arrived: server frames are unmasked (RFC 6455 §5.1).
            while let frame = Self.frame(in: bytes, at: offset) {
                offset = frame.end
                switch frame.opcode {
                case 0x1: messages.append(String(decoding: bytes[frame.payload], as: UTF8.self))
                case 0x8:
                    let payload = Array(bytes[frame.payload])
                    let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
                    return (messages, code)
                default: break
                }
            }
            let chunk = try await BlockingIO.run { () -> [UInt8] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(fd, &buffer, buffer.count)
                return count > 0 ? Array(buffer[0..<count]) : []
            }
            if chunk.isEmpty { return (messages, nil) }
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
