import DecomposerCore
import Foundation
import Hummingbird
import NIOCore
import SystemSupport

/// `GET /ws/status/{job_id}`: the job's snapshot, then every change in order
/// with no gap and no duplicate, ending with the terminal state and a 1000
/// close. An unknown or malformed id gets one `job_not_found` message and a
/// 4404 close (the upgrade is accepted so browsers can read why). A request
/// that is no upgrade gets 426, or 404 when its id is not even a UUID. A watcher
/// whose socket cannot keep up is closed with 1013 (`laggingCloseCode`): its
/// client reconnects and catches up from the new snapshot.
///
/// The route only accepts the handshake; `WatchServerChannel` upgrades the connection and a
/// `WatchConnection` serves it.
struct StatusWebSocket: Sendable {
    let queue: JobQueue
    let hub: JobWatchHub
    let pingInterval: Duration

    static let notFoundCloseCode: UInt16 = 4404
    /// 1013 "Try Again Later" (RFC 6455 §7.4, IANA registry): the watcher fell more than the
    /// hub's backlog limit behind; reconnecting gets a fresh snapshot and the changes after it.
    static let laggingCloseCode: UInt16 = 1013
    /// How long our close frame may wait for the client's answer — or, for a lagging watcher, for
    /// its socket to drain — before the connection is dropped (the client then sees 1006, and
    /// reconnects on that too).
    static let closeGrace: TimeAmount = .seconds(10)

    func register(on router: Router<APIRequestContext>) {
        router.get("/ws/status/:job_id") { request, context -> Response in
            guard Self.isHandshake(request) else {
                // A plain request can be told at once what is wrong with its id, as GET /api/jobs/{id} is.
                _ = try JobRoutes.jobID(context)
                throw APIError(
                    .upgradeRequired, "upgrade_required", "this is a WebSocket endpoint; connect with a WebSocket client",
                    headers: [.upgrade: "websocket"])
            }
            let id = context.parameters.get("job_id").flatMap(UUID.init(spelling:))
            context.watchUpgrade.accept(id.map(WatchTarget.job) ?? .malformed)
            return Response(status: .switchingProtocols)
        }
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1): only those reach here through the
    /// server's upgrader; anything else is a plain request, answered 426, never an empty 200.
    static func isHandshake(_ request: Request) -> Bool {
        guard request.headers[.upgrade]?.lowercased() == "websocket", request.headers[.secWebSocketKey] != nil else { return false }
        return request.headers[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" }
        }
    }

    /// The handler that serves an upgraded connection.
    func connection(for target: WatchTarget) -> WatchConnection {
        WatchConnection(target: target, queue: queue, hub: hub, pingInterval: TimeAmount(pingInterval))
    }
}
