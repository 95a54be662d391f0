import DecomposerCore
import Foundation
import Redis
import SystemSupport

/// The enqueue script as it was before issue 23's change (15c9da2: `Reference/`, the library and
/// the script verbatim), called exactly as `JobQueue.enqueue` calls the queue's own, so the
/// enqueue-script case can measure both in one run: a write of the job, a version bump, a read of
/// the whole job back (`emit`'s HGETALL) and its event built from that.
struct ReferenceEnqueueScript: Sendable {
    let redis: RedisClient
    let keys: QueueKeys
    let policy: QueuePolicy

    static let script = RedisScript(
        name: "reference-enqueue",
        source: String(decoding: PackageResources.reference_library_lua, as: UTF8.self) + "\n"
            + String(decoding: PackageResources.reference_enqueue_lua, as: UTF8.self))

    /// The queue's eleven common keys, in `library.lua`'s order.
    private var commonKeys: [String] {
        [
            keys.wait, keys.active, keys.delayed, keys.marker, keys.dead, keys.stats, keys.hold, keys.order,
            keys.completed, keys.cancelled, keys.webhookOutbox,
        ]
    }

    func enqueue(_ request: JobRequest) async throws {
        let id = UUID()
        let reply = try await redis.run(
            Self.script, keys: commonKeys + [keys.job(id), keys.events(id), keys.operatorPause],
            arguments: [
                keys.prefix, "", String(policy.retention.milliseconds), String(policy.deadLetterLimit),
                id.lowercasedString, request.fileID.lowercasedString, String(request.numLayers),
                String(request.resolution), String(policy.maxAttempts), String(policy.maxQueueDepth), request.fingerprint,
                String(policy.maxRecoveries), request.useCache ? "1" : "0", "", "", "", "",
            ])
        guard reply.array?.first?.string == "created" else { throw RedisError.unexpectedReply("reference enqueue: \(reply)") }
    }
}
