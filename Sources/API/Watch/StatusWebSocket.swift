import DecomposerCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import SystemSupport

/// `GET /ws/status/{job_id}`: the job's snapshot, then every change in order
/// with no gap and no duplicate, ending with the terminal state and a 1000
/// close. An unknown or malformed id gets one `job_not_found` message and a
/// 4404 close (the upgrade is accepted so browsers can read why). A request
/// that is no upgrade gets 426, or 404 when its id is not even a UUID. A watcher
/// whose socket cannot keep up is closed with 1013 (`laggingCloseCode`): its
/// client reconnects and catches up from the new snapshot.
struct StatusWebSocket {
    let queue: JobQueue
    let hub: JobWatchHub

    static let notFoundCloseCode: UInt16 = 4404
    /// 1013 "Try Again Later" (RFC 6455 §7.4, IANA registry): the watcher fell more than the
    /// hub's backlog limit behind; reconnecting gets a fresh snapshot and the changes after it.
    static let laggingCloseCode: UInt16 = 1013
    /// How long a lagging watcher's close frame may wait for its socket to drain before the
    /// connection is dropped (the client then sees 1006, and reconnects on that too).
    static let laggingCloseGrace: Duration = .seconds(10)

    func register(on router: Router<APIRequestContext>) {
        router.ws("/ws/status/:job_id", shouldUpgrade: { request, context in
            guard Self.isHandshake(request) else {
                // A plain request can be told at once what is wrong with its id, as GET /api/jobs/{id} is.
                _ = try JobRoutes.jobID(context)
                throw APIError(
                    .upgradeRequired, "upgrade_required", "this is a WebSocket endpoint; connect with a WebSocket client",
                    headers: [.upgrade: "websocket"])
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            guard let jobID = context.requestContext.parameters.get("job_id").flatMap(UUID.init(uuidString:)) else {
                return try await notFound(outbound, id: nil)
            }
            guard let (token, inbox) = hub.register(jobID) else {
                return try await outbound.close(.goingAway, reason: "server shutting down")
            }
            defer { hub.unregister(jobID, token: token) }
            // The deliveries run in a task of their own so that a watcher falling behind can
            // cancel them even while a write waits on a socket that does not drain. Detached:
            // it needs none of the request's task-local values, and copying them into each of
            // thousands of idle watchers' tasks costs a slab of memory apiece.
            let delivery = Task.detached { try await watch(jobID, inbox: inbox, outbound: outbound) }
            inbox.onLag { delivery.cancel() }
            let outcome: Result<Bool, any Error> = await withTaskGroup(of: Void.self) { group in
                // Reads the client's frames so its close and pongs are handled;
                // when the client goes, the watch stops.
                group.addTask {
                    defer { delivery.cancel() }
                    do { for try await _ in inbound {} } catch {}
                }
                let outcome = await withTaskCancellationHandler {
                    await delivery.result
                } onCancel: {
                    delivery.cancel()
                }
                group.cancelAll()
                return outcome
            }
            switch outcome {
            case .success(true):
                return
            case .success(false), .failure(is CancellationError):
                guard inbox.isLagging else { return }
                hub.noteLagClosure()
                try await closeLagging(outbound)
            case .failure(let error):
                throw error
            }
        })
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1): only those reach here through the
    /// server's upgrader; anything else is a plain request, answered 426, never an empty 200.
    static func isHandshake(_ request: Request) -> Bool {
        guard request.headers[.upgrade]?.lowercased() == "websocket", request.headers[.secWebSocketKey] != nil else { return false }
        return request.headers[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" }
        }
    }

    /// Delivers the snapshot and every change; true once it has ended the conversation (the
    /// terminal state, an unknown job, or shutdown), false when its signals ended first.
    func watch(_ jobID: UUID, inbox: WatcherInbox, outbound: WebSocketOutboundWriter) async throws -> Bool {
        guard let snapshot = try await queue.job(jobID) else {
            try await notFound(outbound, id: jobID)
            return true
        }
        let place = snapshot.status == .queued ? try await queue.places(of: [jobID])[jobID] : nil
        try await send(JobRepresentation(job: snapshot, place: place).text, outbound)
        if snapshot.status.isFinished { return true }
        hub.noteStatus(jobID, queued: snapshot.status == .queued, sentPlace: place)
        var tracker = JobVersionTracker(delivered: snapshot.version)
        var latest = snapshot
        for await signal in inbox.signals {
            let deliveries: [RenderedJob]
            switch signal {
            case .place(let place):
                // The same version again with its new place: the job itself did not change.
                if latest.status == .queued {
                    try await send(JobRepresentation(job: latest, place: place).text, outbound)
                }
                continue
            case .changed(let change) where change.job.version == tracker.delivered + 1:
                deliveries = [change]
            case .changed(let change):
                deliveries = try await tracker.gapFill(for: change.job, from: queue).map { RenderedJob($0) }
            case .resync:
                deliveries = try await queue.events(of: jobID, after: tracker.delivered).map { RenderedJob($0) }
            case .shutdown:
                try await outbound.close(.goingAway, reason: "server shutting down")
                return true
            }
            for delivery in deliveries where tracker.accept(delivery.job) {
                try await send(delivery.bytes, outbound)
                if delivery.job.status.isFinished { return true }
                latest = delivery.job
                hub.noteStatus(jobID, queued: delivery.job.status == .queued)
            }
        }
        return false
    }

    private func send(_ text: String, _ outbound: WebSocketOutboundWriter) async throws {
        try await send(ByteBuffer(string: text), outbound)
    }

    /// One text frame whose payload is `bytes` itself: a change's buffer is shared by all its watchers.
    private func send(_ bytes: ByteBuffer, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: bytes)))
        hub.noteMessageWritten()
    }

    /// Sends the 1013 close once the socket drains, for `laggingCloseGrace` at most; then the
    /// connection is dropped (the server side of the close handshake ends it in any case).
    private func closeLagging(_ outbound: WebSocketOutboundWriter) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(.unknown(Self.laggingCloseCode), reason: "too far behind; reconnect") }
            group.addTask { try? await Task.sleep(for: Self.laggingCloseGrace) }
            await group.next()
            group.cancelAll()
        }
    }

    private func notFound(_ outbound: WebSocketOutboundWriter, id: UUID?) async throws {
        let message = id.map { "no job with id '\($0.lowercasedString)'" } ?? "the job id must be a UUID"
        let body = try JSONResponse.encoder.encode(ErrorBody(code: "job_not_found", message: message))
        try await outbound.writeTextMessage(String(decoding: body, as: UTF8.self))
        try await outbound.close(.unknown(Self.notFoundCloseCode), reason: "job not found")
    }
}
