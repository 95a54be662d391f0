import Foundation
import Redis

/// The Redis-backed job queue with BullMQ's guarantees: atomic claims with
/// leases, renewal, crash recovery, fencing, durable delayed retries, bounded
/// poison pills, cancellation, idempotent enqueue, blocking waits, and an
/// event for every change. Every state change is one Lua script.
public struct JobQueue: Sendable {
    public let redis: RedisClient
    public let keys: QueueKeys
    public let policy: QueuePolicy
    /// Nil: Redis's clock (one clock for every process). Tests inject one.
    let clock: (@Sendable () -> Int64)?

    public init(redis: RedisClient, keys: QueueKeys, policy: QueuePolicy, clock: (@Sendable () -> Int64)? = nil) {
        self.redis = redis
        self.keys = keys
        self.policy = policy
        self.clock = clock
    }

    /// Every script, for loading at start-up (readiness means they are loaded).
    public static var scripts: [RedisScript] { QueueScripts.all }

    public func loadScripts() async throws(RedisError) { try await redis.load(QueueScripts.all) }

    public func enqueue(_ request: JobRequest, idempotencyKey: String? = nil) async throws(QueueError) -> EnqueueOutcome {
        let id = UUID()
        let reply = try await run(QueueScripts.enqueue, [
            id.uuidString.lowercased(), request.fileID.uuidString.lowercased(), String(request.numLayers),
            String(request.resolution), String(policy.maxAttempts), String(policy.maxQueueDepth),
            idempotencyKey ?? "", request.fingerprint, String(policy.maxRecoveries),
        ])
        let parts = reply.array ?? []
        let tag = parts.first?.string
        let value = parts.count > 1 ? parts[1].string ?? "" : ""
        switch tag {
        case "created": return .created(id)
        case "existing": return .existing(try uuid(value))
        case "conflict": throw .idempotencyConflict(existing: try uuid(value))
        case "full": throw .queueFull(depth: Int(value) ?? policy.maxQueueDepth)
        default: throw .redis(.unexpectedReply("enqueue: \(reply)"))
        }
    }

    /// The job as stored now, or nil when unknown or expired.
    public func job(_ id: UUID) async throws(QueueError) -> Job? {
        do {
            let reply = try await redis.send(["HGETALL", keys.job(id)])
            guard let fields = reply.fieldMap, !fields.isEmpty else { return nil }
            guard let job = Job(fields: fields) else { throw RedisError.unexpectedReply("job \(id) is malformed") }
            return job
        } catch let error as RedisError {
            throw .redis(error)
        } catch {
            throw .redis(.unexpectedReply("\(error)"))
        }
    }

    public func cancel(_ id: UUID) async throws(QueueError) -> CancelOutcome {
        let reply = try await run(QueueScripts.cancel, [id.uuidString.lowercased()])
        let parts = reply.array ?? []
        let status = parts.count > 1 ? parts[1].string.flatMap(JobStatus.init(rawValue:)) : nil
        switch (parts.first?.string, status) {
        case ("cancelled", let was?): return .cancelled(was: was)
        case ("finished", let status?): return .alreadyFinished(status)
        case ("missing", _): return .notFound
        default: throw .redis(.unexpectedReply("cancel: \(reply)"))
        }
    }

    /// Promotes due retries and recovers expired leases; any process may run
    /// it at any time, concurrently with others (one atomic script).
    @discardableResult
    public func sweep(limit: Int = 100) async throws(QueueError) -> (promoted: Int, recovered: Int) {
        let reply = try await run(QueueScripts.sweep, [String(limit)])
        let parts = reply.array ?? []
        return (Int(parts.first?.int ?? 0), Int(parts.count > 1 ? parts[1].int ?? 0 : 0))
    }

    public func counts() async throws(QueueError) -> QueueCounts {
        do {
            let replies = try await redis.pipeline([
                ["LLEN", keys.wait], ["ZCARD", keys.delayed], ["ZCARD", keys.active], ["ZCARD", keys.dead],
                ["HGETALL", keys.stats],
            ])
            let totals = (replies[4].fieldMap ?? [:]).compactMapValues { Int64($0) }
            return QueueCounts(
                waiting: Int(replies[0].int ?? 0), delayed: Int(replies[1].int ?? 0),
                active: Int(replies[2].int ?? 0), dead: Int(replies[3].int ?? 0), totals: totals)
        } catch {
            throw .redis(error)
        }
    }

    /// Runs a queue script with the common arguments in front.
    func run(_ script: RedisScript, _ arguments: [String]) async throws(QueueError) -> RedisReply {
        let now = clock.map { String($0()) } ?? ""
        let common = [keys.prefix, now, String(policy.retention.milliseconds), String(policy.deadLetterLimit)]
        do {
            return try await redis.run(script, keys: keys.scriptKeys, arguments: common + arguments)
        } catch {
            throw .redis(error)
        }
    }

    private func uuid(_ text: String) throws(QueueError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw .redis(.unexpectedReply("not a job id: \(text)")) }
        return id
    }
}
