import Foundation
import Synchronization

/// Ports for the servers tests start themselves, given out once per test process.
///
/// They come from below the kernel's ephemeral range. A port the kernel chose for `bind(0)` lies
/// inside it, so between the probe and the server's own bind any test's outgoing connection
/// could take it as its source port; the server then fails to bind (a worker's health port did
/// in CI). Below the range neither `connect()` nor `bind(0)` ever picks a port. Never the same
/// port twice: a stopped server's port stays its own until its `restart()`, and two tests
/// probing at once cannot be handed one port.
enum LoopbackPorts {
    private static let given = Mutex<Set<Int>>([])
    private static let candidates: ClosedRange<Int> = {
        let lowestEphemeral = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
        let upper = max(lowestEphemeral - 1, 2048)
        return max(upper - 16383, 1024)...upper
    }()

    /// A port no socket holds now (a bind without `SO_REUSEADDR` succeeded, so nothing listens,
    /// connects or lingers in TIME_WAIT there) and none this process gave out before.
    static func take() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            guard given.withLock({ $0.insert(port).inserted }) else { continue }
            if let (fd, _) = try? LoopbackSocket.bound(port: port) {
                close(fd)
                return port
            }
        }
        throw TestSupportError("no unused loopback port in \(candidates)")
    }
}
