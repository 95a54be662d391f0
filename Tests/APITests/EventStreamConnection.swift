import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TestSupport

/// A server-sent event stream read over a plain socket (curl would wait for a body that never
/// ends): everything received so far, read on until a condition holds.
final class EventStreamConnection: Sendable {
    private let socket: Int32
    private let received = Mutex<[UInt8]>([])

    private init(socket: Int32) { self.socket = socket }

    static func open(port: Int, path: String, headers: [String] = []) async throws -> EventStreamConnection {
        try await RawHTTP.onOwnThread {
            let socket = try RawHTTP.connect(port: port)
            let head = (["GET \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
            try RawHTTP.send(socket, Array(head.utf8))
            return EventStreamConnection(socket: socket)
        }
    }

    /// Reads until `condition` holds on everything received (or 60 s pass, or the server closes);
    /// returns what was received.
    func read(until condition: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await RawHTTP.onOwnThread { [self] in
            let deadline = Date().addingTimeInterval(60)
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while !condition(text), Date() < deadline {
                guard RawHTTP.readable(socket, timeoutMilliseconds: 500) else { continue }
                let count = recv(socket, &buffer, buffer.count, 0)
                if count <= 0 { break }
                received.withLock { $0 += buffer[0..<count] }
            }
            return text
        }
    }

    var text: String { received.withLock { String(decoding: $0, as: UTF8.self) } }

    func close() { _ = Glibc.close(socket) }
}
