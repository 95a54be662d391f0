import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// Where the watchers' messages go. Called on a connection's event loop for every message, so it
/// must be cheap: an atomic add or a short locked write.
protocol WatcherSink: Sendable {
    /// Connection `connection` got its first message (the job's snapshot): it is watching.
    func snapshot(connection: Int)
    /// A later message of `connection`, its `"version"` number and when it arrived.
    func update(connection: Int, version: Int, at arrival: ContinuousClock.Instant)
}

/// The watcher cases' WebSocket client: SwiftNIO channel handlers on a 2-thread event loop group,
/// no Swift task per connection, the version read by a byte scan of each frame. On 2 cores the
/// client shares the CPU with the API it measures; a task, an async sequence and a string per
/// message made the client, not the server, what the latency figures measured.
final class BenchWebSocketClient: Sendable {
    private let host: String
    private let port: Int
    fileprivate let sink: any WatcherSink
    private let channels = Mutex<[any Channel]>([])
    /// Close codes the server sent, with how many connections got each (not the replies to `closeAll`).
    private let serverCloses = Mutex<[UInt16: Int]>([:])
    private let closingAll = Atomic<Bool>(false)

    /// `api` is the API's `http://host:port` base.
    init(api: String, sink: any WatcherSink) {
        let url = URL(string: api)
        host = url?.host ?? "127.0.0.1"
        port = url?.port ?? 80
        self.sink = sink
    }

    /// Opens one watcher per path (connection `i` watches `paths[i]`), `width` handshakes in
    /// flight at a time. Returns how many upgraded; a failed one is left out (the cases count
    /// watchers by their snapshots).
    @discardableResult
    func connect(paths: [String], width: Int = 256) async -> Int {
        let upgraded = (try? await inParallel(count: paths.count, width: width) { index in
            await self.open(path: paths[index], connection: index)
        }) ?? []
        return upgraded.filter { $0 }.count
    }

    /// Closes every connection with a close frame (1000), so the API sees the watchers leave.
    func closeAll() async {
        closingAll.store(true, ordering: .relaxed)
        let open = channels.withLock { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in open {
            var payload = channel.allocator.buffer(capacity: 2)
            payload.write(webSocketErrorCode: .normalClosure)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload)
            channel.writeAndFlush(close).whenComplete { _ in channel.close(promise: nil) }
        }
        for channel in open { try? await channel.closeFuture.get() }
    }

    /// `figure: N connections (codes …)` when the server closed any connection with another code
    /// than 1000 (it closes its watchers normally when the job finishes): 1013 is a watcher that did
    /// not drain, so its later messages are not the client's loss.
    func reportServerCloses(as figure: String) {
        let codes = serverCloses.withLock { $0 }.filter { $0.key != 1000 }
        guard !codes.isEmpty else { return }
        let summary = codes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
        report(figure, Double(codes.values.reduce(0, +)), "connections (codes \(summary))")
    }

    /// CPU (user + system) of this process's NIO event-loop threads, in ms: the client's receiving
    /// alone, without the case's writes to Redis. (The bench uses NIO for nothing else.)
    static func eventLoopCPUMilliseconds() -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let ticks = tasks.reduce(0) { total, task in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
                stat[stat.index(after: open)..<close].hasPrefix("NIO-")
            else { return total }
            // After the name: state is field 3, utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return total }
            return total + user + system
        }
        return Double(ticks) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    fileprivate func serverClosed(code: UInt16) {
        guard !closingAll.load(ordering: .relaxed) else { return }
        serverCloses.withLock { $0[code, default: 0] += 1 }
    }

    private func open(path: String, connection: Int) async -> Bool {
        let host = host
        let port = port
        do {
            let upgrade: EventLoopFuture<(any Channel)?> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let upgrader = NIOTypedWebSocketClientUpgrader<(any Channel)?>(maxFrameSize: 1 << 20) { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: 1 << 20))
                                try channel.pipeline.syncOperations.addHandler(
                                    WatcherFrameHandler(connection: connection, client: self))
                                return channel
                            }
                        }
                        var headers = HTTPHeaders()
                        headers.add(name: "Host", value: "\(host):\(port)")
                        headers.add(name: "Content-Length", value: "0")
                        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                        let configuration = NIOTypedHTTPClientUpgradeConfiguration<(any Channel)?>(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in
                                channel.close(promise: nil)
                                return channel.eventLoop.makeSucceededFuture(nil)
                            })
                        // The snapshot often comes in the same read as the 101: forward those bytes
                        // to the WebSocket decoder (the default drops them).
                        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                        pipeline.leftOverBytesStrategy = .forwardBytes
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    }
                }
            guard let channel = try await upgrade.get() else { return false }
            channels.withLock { $0.append(channel) }
            return true
        } catch {
            return false
        }
    }
}

/// One watcher connection's frames, on its event loop: the arrival instant and version of each text
/// frame go to the sink; pings are answered; a close from the server is recorded, answered and ends
/// the connection. The client's frames are masked, as RFC 6455 requires of clients.
private final class WatcherFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let connection: Int
    private let sink: any WatcherSink
    private let client: BenchWebSocketClient
    private var watching = false
    private var closing = false

    init(connection: Int, client: BenchWebSocketClient) {
        self.connection = connection
        self.sink = client.sink
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let arrival = ContinuousClock.now
            guard watching else {
                watching = true
                sink.snapshot(connection: connection)
                return
            }
            if let version = versionNumber(in: frame.unmaskedData) {
                sink.update(connection: connection, version: version, at: arrival)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self) ?? 1005
            client.serverClosed(code: code)
            guard !closing else {
                context.close(promise: nil)
                return
            }
            closing = true
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.writeInteger(code == 1005 ? 1000 : code)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
            context.writeAndFlush(wrapOutboundOut(close), promise: nil)
            context.close(promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The number after the first `"version":` of a JSON message, by a scan of its bytes (no String,
/// no parse); nil when there is none.
func versionNumber(in buffer: ByteBuffer) -> Int? {
    buffer.withUnsafeReadableBytes { bytes -> Int? in
        let key: StaticString = "\"version\":"
        let keyLength = key.utf8CodeUnitCount
        guard bytes.count > keyLength else { return nil }
        return key.withUTF8Buffer { pattern -> Int? in
            var start = 0
            while start + keyLength <= bytes.count {
                if bytes[start] == UInt8(ascii: "\""), bytes[start + 1] == UInt8(ascii: "v"),
                    memcmp(bytes.baseAddress! + start, pattern.baseAddress!, keyLength) == 0
                {
                    var index = start + keyLength
                    while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                    var value = 0
                    var digits = 0
                    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                        value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                        index += 1
                        digits += 1
                    }
                    return digits > 0 ? value : nil
                }
                start += 1
            }
            return nil
        }
    }
}

/// The figures both watcher cases print after their run: `<prefix>_latency_p50` / `_p99` of the
/// delays (ms, any order), and the client's CPU per message received (`_client_cpu_per_message`,
/// its whole process; `_client_loop_cpu_per_message`, its event-loop threads alone), CPU in ms.
func reportWatcherFigures(_ prefix: String, delays: [Double], cpu: Double, loopCPU: Double, messages: Int) {
    let latencies = delays.sorted()
    if !latencies.isEmpty {
        report("\(prefix)_latency_p50", latencies[latencies.count / 2], "ms")
        report("\(prefix)_latency_p99", latencies[min(latencies.count - 1, latencies.count * 99 / 100)], "ms")
    }
    if messages > 0 {
        report("\(prefix)_client_cpu_per_message", cpu * 1000 / Double(messages), "us")
        report("\(prefix)_client_loop_cpu_per_message", loopCPU * 1000 / Double(messages), "us")
    }
}
