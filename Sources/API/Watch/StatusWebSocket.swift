import DecomposerCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import SystemSupport

/// `GET /ws/status/{job_id}`: the job's snapshot, then every change in order
/// with no gap and no duplicate, ending with the terminal state and a 1000
/// close. An unknown or malformed id gets one `job_not_found` message and a
/// 4404 close (the upgrade is accepted so browsers can read why). A request
/// that is no upgrade gets 426, or 404 when its id is not even a UUID.
struct StatusWebSocket {
    let queue: JobQueue
    let hub: JobWatchHub

    static let notFoundCloseCode: UInt16 = 4404

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
            let jobID = context.requestContext.parameters.get("job_id").flatMap(UUID.init(uuidString:))
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Reads the client's frames so its close and pongs are handled;
                // when the client goes, the watch stops.
                group.addTask { for try await _ in inbound {} }
                group.addTask { try await watch(jobID, outbound: outbound, logger: context.logger) }
                try await group.next()
                group.cancelAll()
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

    func watch(_ jobID: UUID?, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        guard let jobID else { return try await notFound(outbound, id: nil) }
        guard let (token, signals) = hub.register(jobID) else {
            return try await outbound.close(.goingAway, reason: "server shutting down")
        }
        defer { hub.unregister(jobID, token: token) }
        guard let snapshot = try await queue.job(jobID) else { return try await notFound(outbound, id: jobID) }
        let place = snapshot.status == .queued ? try await queue.places(of: [jobID])[jobID] : nil
        try await outbound.writeTextMessage(JobRepresentation(job: snapshot, place: place).text)
        if snapshot.status.isFinished { return }
        hub.noteStatus(jobID, queued: snapshot.status == .queued, sentPlace: place)
        var tracker = JobVersionTracker(delivered: snapshot.version)
        var latest = snapshot
        for await signal in signals {
            let deliveries: [RenderedJob]
            switch signal {
            case .place(let place):
                // The same version again with its new place: the job itself did not change.
                if latest.status == .queued {
                    try await outbound.writeTextMessage(JobRepresentation(job: latest, place: place).text)
                }
                continue
            case .changed(let change) where change.job.version == tracker.delivered + 1:
                deliveries = [change]
            case .changed(let change):
                deliveries = try await tracker.gapFill(for: change.job, from: queue).map { RenderedJob($0) }
            case .resync:
                deliveries = try await queue.events(of: jobID, after: tracker.delivered).map { RenderedJob($0) }
            case .shutdown:
                return try await outbound.close(.goingAway, reason: "server shutting down")
            }
            for delivery in deliveries where tracker.accept(delivery.job) {
                try await outbound.writeTextMessage(delivery.text)
                if delivery.job.status.isFinished { return }
                latest = delivery.job
                hub.noteStatus(jobID, queued: delivery.job.status == .queued)
            }
        }
    }

    private func notFound(_ outbound: WebSocketOutboundWriter, id: UUID?) async throws {
        let message = id.map { "no job with id '\($0.lowercasedString)'" } ?? "the job id must be a UUID"
        let body = try JSONResponse.encoder.encode(ErrorBody(code: "job_not_found", message: message))
        try await outbound.writeTextMessage(String(decoding: body, as: UTF8.self))
        try await outbound.close(.unknown(Self.notFoundCloseCode), reason: "job not found")
    }
}
