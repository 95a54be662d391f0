import Foundation
import Synchronization

/// What a `/ws/status/{id}` handshake asked to watch. The route decides it (behind every
/// middleware: API key, metrics); `WatchServerChannel` reads it to finish the upgrade.
enum WatchTarget: Sendable, Equatable {
    case job(UUID)
    /// Not a UUID: the upgrade is still accepted so a browser can read why (4404).
    case malformed
}

/// Where the route leaves its `WatchTarget` for the connection: a request context is copied
/// into the route, so the answer has to travel by reference.
final class WatchUpgradeSlot: Sendable {
    private let target = Mutex<WatchTarget?>(nil)

    init() {}

    func accept(_ target: WatchTarget) { self.target.withLock { $0 = target } }

    var accepted: WatchTarget? { target.withLock { $0 } }
}
