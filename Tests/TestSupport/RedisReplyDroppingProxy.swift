import Foundation
import Synchronization
import SystemSupport

/// A TCP relay between Redis clients and a `redis-server` that loses one reply the way a dropped
/// connection or a stopping Redis does: the command reaches Redis and runs there, and the client's
/// connection closes before the reply can reach it.
///
/// Armed with a marker, the relay watches what clients send; the first chunk containing it goes on
/// to Redis followed by an `ECHO` of a nonce. From then on, what Redis sends back is thrown away
/// until the nonce comes back, which proves Redis ran the command; only then is the client's
/// connection closed (so a client that sees it closed finds the command's effects in Redis). A marker split across two reads is not seen: clients
/// here write each command whole.
public final class RedisReplyDroppingProxy: Sendable {
    private struct State {
        var stopped = false
        var sockets: Set<Int32> = []
        var marker: [UInt8]?
        var dropped = 0
    }

    /// One relayed connection's cut: the nonce whose echo ends it, once its marker went by.
    private final class Cut: Sendable {
        let nonce = Mutex<[UInt8]?>(nil)
    }

    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    public init(upstreamPort: Int) throws {
        (listener, port) = try LoopbackSocket.bound(listening: 64)
        self.upstreamPort = upstreamPort
        Thread.startNamed("redis-proxy-accept") { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// The next command containing `marker` runs on Redis, and its reply never reaches the client.
    public func dropReplyToNext(containing marker: String) {
        state.withLock { $0.marker = Array(marker.utf8) }
    }

    /// Replies lost so far (each one after Redis had run its command).
    public var droppedReplies: Int { state.withLock { $0.dropped } }

    /// Idempotent.
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { break }
                continue
            }
            guard let upstream = LoopbackSocket.connected(to: upstreamPort), admit(client, upstream) else {
                close(client)
                continue
            }
            // Threads, not tasks: the reads block.
            let cut = Cut()
            Thread.startNamed("redis-proxy-up") { [self] in relayCommands(from: client, to: upstream, cut: cut) }
            Thread.startNamed("redis-proxy-down") { [self] in relayReplies(from: upstream, to: client, cut: cut) }
        }
        close(listener)
    }

    private func admit(_ client: Int32, _ upstream: Int32) -> Bool {
        let admitted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.sockets.formUnion([client, upstream])
            return true
        }
        if !admitted { close(upstream) }
        return admitted
    }

    /// Client to Redis. On the armed marker: the chunk, then `ECHO nonce`, and nothing more (the replies side closes both).
    private func relayCommands(from client: Int32, to upstream: Int32, cut: Cut) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            let chunk = buffer[..<count]
            let marked = state.withLock { state -> Bool in
                guard let marker = state.marker, chunk.firstRange(of: marker) != nil else { return false }
                state.marker = nil
                return true
            }
            // Cut before the command goes: its reply must not slip through.
            let nonce = "dropped-reply-\(UUID().uuidString)"
            if marked { cut.nonce.withLock { $0 = Array(nonce.utf8) } }
            guard Self.send(chunk, to: upstream) else { break }
            if marked {
                _ = Self.send(Array("ECHO \(nonce)\r\n".utf8)[...], to: upstream)
                return
            }
        }
        shutdown(upstream, Int32(SHUT_WR))
    }

    /// Redis to client; once cut, everything up to the nonce's echo is thrown away.
    private func relayReplies(from upstream: Int32, to client: Int32, cut: Cut) {
        defer { finish(client, upstream) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var discarded: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(upstream, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            if let nonce = cut.nonce.withLock({ $0 }) {
                discarded += buffer[..<count]
                if discarded.firstRange(of: nonce) != nil {
                    state.withLock { $0.dropped += 1 }
                    return
                }
                continue
            }
            guard Self.send(buffer[..<count], to: client) else { return }
        }
    }

    private func finish(_ client: Int32, _ upstream: Int32) {
        state.withLock { state in
            state.sockets.subtract([client, upstream])
            close(client)
            close(upstream)
        }
    }

    private static func send(_ bytes: ArraySlice<UInt8>, to fd: Int32) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
