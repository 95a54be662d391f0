import Foundation
import CEpoll
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The watcher client's one thread: every watcher socket in one epoll set, non-blocking, its
/// frames parsed where `recv` put them. All its state belongs to that thread; other threads only
/// hand it a `Command` (a locked append and a byte down a pipe), so it is `@unchecked Sendable`.
///
/// It speaks what a watcher needs of RFC 6455's client half: the upgrade request, unmasked server
/// frames (a text frame is a message: the first is the snapshot), masked pongs and the close
/// handshake. The server never fragments a message, so a continuation frame is not expected and is
/// ignored (its message would then count as missing, never as delivered).
final class WatcherSocketLoop: @unchecked Sendable {
    enum Command: Sendable {
        /// Opens one watcher per path, `width` handshakes in flight; `done` gets how many upgraded.
        case connect(paths: [String], width: Int, done: CheckedContinuation<Int, Never>)
        /// Closes every watcher with 1000 and waits (10 s at most) for the server's close; then
        /// the thread ends.
        case closeAll(done: CheckedContinuation<Void, Never>)
    }

    /// Close codes the server sent (not its replies to `closeAll`), with how many connections got each.
    let serverCloses = Mutex<[UInt16: Int]>([:])

    private let address: sockaddr_in
    private let request: (String) -> [UInt8]
    private let sink: any WatcherSink
    private let commands = Mutex<[Command]>([])
    private let epoll: Int32
    private let wake: (read: Int32, write: Int32)
    private static let wakeToken = UInt64.max

    private final class Connection {
        enum State { case connecting, handshaking, open, closing }
        let index: Int
        let fd: Int32
        var state = State.connecting
        var watching = false
        /// Bytes of a frame (or the handshake's head) not complete yet.
        var inbound: [UInt8] = []
        init(index: Int, fd: Int32) {
            self.index = index
            self.fd = fd
        }
    }

    private var connections: [Connection?] = []
    private var paths: [String] = []
    private var nextPath = 0
    private var width = 0
    private var handshaking = 0
    private var upgraded = 0
    private var connected: CheckedContinuation<Int, Never>?
    private var openCount = 0
    private var closingAll = false
    private var closed: CheckedContinuation<Void, Never>?
    private var closeDeadline: ContinuousClock.Instant?
    private var stopped = false

    init(host: String, port: Int, sink: any WatcherSink) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        if inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) != 1 {
            fatalError("the watcher client needs an IPv4 address, not \(host)")
        }
        self.address = address
        let hostHeader = "\(host):\(port)"
        request = { path in
            Array(("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
        }
        self.sink = sink
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        var ends: [Int32] = [0, 0]
        guard epoll >= 0, pipe(&ends) == 0 else { fatalError("watcher client: \(String(cString: strerror(errno)))") }
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        wake = (ends[0], ends[1])
        watch(wake.read, token: Self.wakeToken, events: EPOLLIN.rawValue)
    }

    func post(_ command: Command) {
        commands.withLock { $0.append(command) }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// The thread's body: returns after `closeAll`.
    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer {
            buffer.deallocate()
            close(epoll)
            close(wake.read)
            close(wake.write)
        }
        while !stopped {
            let timeout: Int32 = closeDeadline == nil ? -1 : 100
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), timeout) }
            if count < 0, errno != EINTR { fatalError("epoll_wait: \(String(cString: strerror(errno)))") }
            for event in events.prefix(Int(max(count, 0))) {
                if event.data.u64 == Self.wakeToken {
                    takeCommands()
                } else if let connection = connections[Int(event.data.u64)] {
                    serve(connection, events: event.events, buffer: buffer)
                }
            }
            if let deadline = closeDeadline, ContinuousClock.now >= deadline {
                for connection in connections.compactMap({ $0 }) { drop(connection) }
            }
        }
    }

    private func takeCommands() {
        var byte: UInt8 = 0
        while read(wake.read, &byte, 1) > 0 {}
        for command in commands.withLock({ commands in defer { commands.removeAll() }; return commands }) {
            switch command {
            case .connect(let paths, let width, let done):
                self.paths = paths
                self.width = max(1, width)
                connections = [Connection?](repeating: nil, count: paths.count)
                connected = done
                startConnections()
            case .closeAll(let done):
                closed = done
                closingAll = true
                closeDeadline = .now + .seconds(10)
                for connection in connections.compactMap({ $0 }) {
                    if connection.state == .open {
                        connection.state = .closing
                        send(connection, opcode: 0x8, payload: [0x03, 0xE8])
                    } else {
                        drop(connection)
                    }
                }
                finishIfClosed()
            }
        }
    }

    private func startConnections() {
        while !closingAll, handshaking < width, nextPath < paths.count {
            let index = nextPath
            nextPath += 1
            handshaking += 1
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                finishHandshake(upgraded: false)
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = address
            let started = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard started == 0 || errno == EINPROGRESS else {
                close(fd)
                finishHandshake(upgraded: false)
                continue
            }
            let connection = Connection(index: index, fd: fd)
            connections[index] = connection
            openCount += 1
            watch(fd, token: UInt64(index), events: EPOLLOUT.rawValue)
        }
    }

    private func finishHandshake(upgraded didUpgrade: Bool) {
        handshaking -= 1
        if didUpgrade { upgraded += 1 }
        startConnections()
        if handshaking == 0, nextPath == paths.count, let done = connected {
            connected = nil
            done.resume(returning: upgraded)
        }
    }

    private func serve(_ connection: Connection, events: UInt32, buffer: UnsafeMutableRawBufferPointer) {
        if connection.state == .connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            let bytes = request(paths[connection.index])
            let sent = bytes.withUnsafeBytes { Glibc.send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard error == 0, events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) == 0, sent == bytes.count else {
                return drop(connection)
            }
            connection.state = .handshaking
            var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: UInt64(connection.index)))
            _ = epoll_ctl(epoll, EPOLL_CTL_MOD, connection.fd, &event)
            return
        }
        // Level-triggered: one read per readiness; what is left is reported again.
        let count = recv(connection.fd, buffer.baseAddress, buffer.count, 0)
        if count < 0, errno == EAGAIN || errno == EINTR { return }
        guard count > 0 else { return drop(connection) }
        let arrival = ContinuousClock.now
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
        if connection.inbound.isEmpty {
            let used = consume(bytes, connection, arrival: arrival)
            if used < count, connections[connection.index] != nil { connection.inbound = Array(bytes[used...]) }
        } else {
            var pending = connection.inbound
            connection.inbound = []
            pending.append(contentsOf: bytes)
            let used = pending.withUnsafeBytes { consume($0, connection, arrival: arrival) }
            if used < pending.count, connections[connection.index] != nil { connection.inbound = Array(pending[used...]) }
        }
    }

    /// Handles the complete frames (and, first, the handshake's head) at the start of `bytes`;
    /// returns how many bytes that was.
    private func consume(_ bytes: UnsafeRawBufferPointer, _ connection: Connection, arrival: ContinuousClock.Instant) -> Int {
        var offset = 0
        if connection.state == .handshaking {
            guard let end = headEnd(bytes) else { return 0 }
            guard bytes.starts(with: "HTTP/1.1 101 ".utf8) else {
                drop(connection)
                return bytes.count
            }
            connection.state = .open
            finishHandshake(upgraded: true)
            offset = end
        }
        while connections[connection.index] != nil, bytes.count - offset >= 2 {
            let first = bytes[offset]
            let second = bytes[offset + 1]
            var header = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard bytes.count - offset >= 4 else { break }
                length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                header = 4
            } else if length == 127 {
                guard bytes.count - offset >= 10 else { break }
                length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[offset + 2 + $1]) }
                header = 10
            }
            let masked = second & 0x80 != 0
            if masked { header += 4 }
            guard bytes.count - offset >= header + length else { break }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<(offset + header + length)])
            offset += header + length
            // A masked server frame is a protocol error (RFC 6455 §5.1): skipped, so its message counts as missing.
            if !masked { frame(opcode: first & 0x0F, payload: payload, connection, arrival: arrival) }
        }
        return offset
    }

    private func frame(opcode: UInt8, payload: UnsafeRawBufferPointer, _ connection: Connection, arrival: ContinuousClock.Instant) {
        switch opcode {
        case 0x1:
            guard connection.watching else {
                connection.watching = true
                return sink.snapshot(connection: connection.index)
            }
            if let version = versionNumber(in: payload) {
                sink.update(connection: connection.index, version: version, at: arrival)
            }
        case 0x9:
            send(connection, opcode: 0xA, payload: Array(payload))
        case 0x8:
            let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
            if !closingAll { serverCloses.withLock { $0[code, default: 0] += 1 } }
            if connection.state != .closing {
                let reply = code == 1005 ? 1000 : code
                send(connection, opcode: 0x8, payload: [UInt8(reply >> 8), UInt8(reply & 0xFF)])
            }
            drop(connection)
        default:
            break
        }
    }

    /// A client frame (masked, as RFC 6455 requires of clients) of at most 125 bytes.
    private func send(_ connection: Connection, opcode: UInt8, payload: [UInt8]) {
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        var frame: [UInt8] = [0x80 | opcode, 0x80 | UInt8(min(payload.count, 125))] + mask
        for (index, byte) in payload.prefix(125).enumerated() { frame.append(byte ^ mask[index % 4]) }
        _ = frame.withUnsafeBytes { Glibc.send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes the socket and forgets it; a connection still in its handshake counts as not upgraded.
    private func drop(_ connection: Connection) {
        guard connections[connection.index] != nil else { return }
        connections[connection.index] = nil
        close(connection.fd)
        openCount -= 1
        if connection.state == .connecting || connection.state == .handshaking { finishHandshake(upgraded: false) }
        finishIfClosed()
    }

    private func finishIfClosed() {
        guard closingAll, openCount == 0, let done = closed else { return }
        closed = nil
        stopped = true
        done.resume()
    }

    private func watch(_ fd: Int32, token: UInt64, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(u64: token))
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    /// Where the HTTP head ends (after its blank line), or nil while it is incomplete.
    private func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count
        where bytes[index] == 0x0A && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }
}
