import Foundation
import SystemSupport

/// Where the watchers' messages go. Called on the client's thread for every message, so it
/// must be cheap: an atomic add or a short locked write.
protocol WatcherSink: Sendable {
    /// Connection `connection` got its first message (the job's snapshot): it is watching.
    func snapshot(connection: Int)
    /// A later message of `connection`, its `"version"` number and when it arrived.
    func update(connection: Int, version: Int, at arrival: ContinuousClock.Instant)
}

/// The watcher cases' WebSocket client: one thread (`ws-client`) with every watcher socket in one
/// epoll set (`WatcherSocketLoop`), no Swift task and no buffer copy per message. On 2 cores the
/// client shares the CPU with the API it measures, so what it spends per message is taken from the
/// server. With SwiftNIO channel handlers (two event loops, a frame decoder and aggregator, a
/// `ByteBuffer` per read) it spent 11–15 µs per message, half of it in user space; this one spends
/// 5–7 µs, nearly all of it the kernel's (bench/README.md). Use it for one `connect` and one `closeAll`.
final class BenchWebSocketClient: Sendable {
    private let loop: WatcherSocketLoop

    /// `api` is the API's `http://host:port` base (an IPv4 host).
    init(api: String, sink: any WatcherSink) {
        let url = URL(string: api)
        let loop = WatcherSocketLoop(host: url?.host ?? "127.0.0.1", port: url?.port ?? 80, sink: sink)
        self.loop = loop
        Thread.startNamed(Self.threadName) { loop.run() }
    }

    /// Opens one watcher per path (connection `i` watches `paths[i]`), `width` handshakes in
    /// flight at a time. Returns how many upgraded; a failed one is left out (the cases count
    /// watchers by their snapshots).
    @discardableResult
    func connect(paths: [String], width: Int = 256) async -> Int {
        await withCheckedContinuation { done in loop.post(.connect(paths: paths, width: width, done: done)) }
    }

    /// Closes every connection with a close frame (1000), so the API sees the watchers leave, and
    /// waits for the server's close (10 s at most).
    func closeAll() async {
        await withCheckedContinuation { done in loop.post(.closeAll(done: done)) }
    }

    /// `figure: N connections (codes …)` when the server closed any connection with another code
    /// than 1000 (it closes its watchers normally when the job finishes): 1013 is a watcher that did
    /// not drain, so its later messages are not the client's loss.
    func reportServerCloses(as figure: String) {
        let codes = loop.serverCloses.withLock { $0 }.filter { $0.key != 1000 }
        guard !codes.isEmpty else { return }
        let summary = codes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
        report(figure, Double(codes.values.reduce(0, +)), "connections (codes \(summary))")
    }

    private static let threadName = "ws-client"

    /// CPU (user + system) of the client's thread, in ms: the receiving alone, without the case's
    /// writes to Redis.
    static func receivingCPUMilliseconds() -> Double { threadCPUMilliseconds()[threadName] ?? 0 }
}

/// The number after the first `"version":` of a JSON message, by a scan of its bytes (no String,
/// no parse); nil when there is none.
func versionNumber(in bytes: UnsafeRawBufferPointer) -> Int? {
    let key: StaticString = "\"version\":"
    let keyLength = key.utf8CodeUnitCount
    guard let base = bytes.baseAddress, bytes.count > keyLength else { return nil }
    return key.withUTF8Buffer { pattern -> Int? in
        var start = 0
        while start + keyLength <= bytes.count {
            guard let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), bytes.count - keyLength + 1 - start) else { return nil }
            start = base.distance(to: UnsafeRawPointer(quote))
            if memcmp(base + start, pattern.baseAddress!, keyLength) == 0 {
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

/// The figures both watcher cases print after their run: `<prefix>_latency_p50` / `_p99` of the
/// delays (ms, any order), and the client's CPU per message received (`_client_cpu_per_message`,
/// its whole process; `_client_loop_cpu_per_message`, its receiving thread alone) and, given the
/// API's CPU over the same span, the API's (`_api_cpu_per_message`), CPU in ms.
func reportWatcherFigures(_ prefix: String, delays: [Double], cpu: Double, loopCPU: Double, apiCPU: Double?, messages: Int) {
    let latencies = delays.sorted()
    if !latencies.isEmpty {
        report("\(prefix)_latency_p50", latencies[latencies.count / 2], "ms")
        report("\(prefix)_latency_p99", latencies[min(latencies.count - 1, latencies.count * 99 / 100)], "ms")
        // `--percentiles 1`: the whole spread, for finding where the time goes.
        if option("--percentiles", 0) != 0 {
            for percent in [0, 10, 25, 75, 90] {
                report("\(prefix)_latency_p\(percent)", latencies[latencies.count * percent / 100], "ms")
            }
        }
    }
    if messages > 0 {
        report("\(prefix)_client_cpu_per_message", cpu * 1000 / Double(messages), "us")
        report("\(prefix)_client_loop_cpu_per_message", loopCPU * 1000 / Double(messages), "us")
        if let apiCPU { report("\(prefix)_api_cpu_per_message", apiCPU * 1000 / Double(messages), "us") }
    }
}
