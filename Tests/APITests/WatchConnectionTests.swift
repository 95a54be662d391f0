import DecomposerCore
import Foundation
import Testing
import TestSupport

/// The server's half of the WebSocket protocol on a watcher's connection (`WatchConnection`):
/// what any client library expects of a server, seen from a bare socket.
@Suite struct WatchConnectionTests {
    /// A handshake the router refuses gets the router's own answer (status and JSON error), as a
    /// plain request would, not an empty 400.
    @Test func aRefusedHandshakeGetsTheRoutersJSONError() async throws {
        let api = try await APIHarness(apiKey: "s3cret-key")
        defer { Task { await api.stop() } }
        let answer = try await RawWebSocket.refusal(port: api.port, path: "/ws/status/\(UUID().uuidString)")
        #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
        #expect(answer.contains(#""code":"unauthorized""#), "\(answer)")
        #expect(api.api.hub.watcherCount == 0)
    }

    /// A client's ping is answered with its payload; the client's close is echoed with its code
    /// and the connection ends; the watcher leaves the hub.
    @Test func pingsAreAnsweredAndTheClientsCloseIsEchoed() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let socket = try await RawWebSocket(port: api.port, path: "/ws/status/\(id.uuidString)")
        try socket.send(opcode: 0x9, payload: Array("are you there".utf8))
        try socket.send(opcode: 0x8, payload: [0x03, 0xE8])  // 1000
        let frames = try await socket.frames()
        #expect(frames.contains { $0.opcode == 0xA && $0.payload == Array("are you there".utf8) })
        #expect(frames.last?.opcode == 0x8)
        #expect(frames.last?.payload == [0x03, 0xE8])
        // The watcher leaves when the server hangs up, just after the echo reached us (with nothing
        // else to end it, a connection left open would stay for a minute of unanswered pings).
        try await waitUntil { api.api.hub.watcherCount == 0 }
    }

    /// The server pings an idle watcher every ping interval; one that has not answered the
    /// previous ping by the next is gone (a dead peer, a half-open TCP connection) and is hung up on.
    @Test func aWatcherThatNeverAnswersPingsIsHungUpOn() async throws {
        let api = try await APIHarness(webSocketPingInterval: .milliseconds(100))
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let socket = try await RawWebSocket(port: api.port, path: "/ws/status/\(id.uuidString)")
        let frames = try await socket.frames()
        #expect(frames.contains { $0.opcode == 0x9 }, "pinged")
        #expect(frames.last?.opcode != 0x8, "hung up without a close frame")
        try await waitUntil { api.api.hub.watcherCount == 0 }
    }

    /// A client frame without a mask is a protocol error (RFC 6455 §5.1): closed with 1002.
    @Test func anUnmaskedClientFrameIsClosedWith1002() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let socket = try await RawWebSocket(port: api.port, path: "/ws/status/\(id.uuidString)")
        try socket.sendUnmasked(opcode: 0x1, payload: Array("hello".utf8))
        let (messages, closeCode) = try await socket.drain()
        #expect(messages.count <= 1, "the snapshot at most (the frame may arrive before it is read)")
        #expect(closeCode == 1002)
    }
}
