import Foundation
import Redis
import SystemSupport

/// The Redis-backed job queue with BullMQ's guarantees: atomic claims with
/// leases, renewal, crash recovery, fencing, durable delayed retries, bounded
/// poison pills, cancellation, idempotent enqueue, blocking waits, and an
/// event for every change. Every state change is one Lua script (`Queue/Lua/`),
/// and this type is the only writer of Redis: the cost record, the fleet pause
/// and the budget hold are its operations too.
public struct JobQueue: Sendable {
    public let redis: RedisClient
    public let keys: QueueKeys
    public let policy: QueuePolicy
    /// Nil: Redis's clock (one clock for every process). Tests inject one.
    let clock: (@Sendable () -> Int64)?
    private let serverClock = RedisServerClock()

    public init(redis: RedisClient, keys: QueueKeys, policy: QueuePolicy, clock: (@Sendable () -> Int64)? = nil) {
        self.redis = redis
        self.keys = keys
        self.policy = policy
        self.clock = clock
    }

    /// Every script, for `decomposer doctor` to load up front.
    public static var scripts: [RedisScript] { QueueScripts.all }

    /// Loads every script once (a worker at start-up); afterwards each is loaded again only
    /// when Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH).
    public func loadScripts() async throws(RedisError) { try await redis.load(QueueScripts.all) }

    /// Now on the queue's clock: Redis's `TIME`, as the scripts see it (or the test clock).
    public func now() async throws(QueueError) -> Date {
        if let clock { return Date(millisecondsSince1970: clock()) }
        do {
            return Date(millisecondsSince1970: try await serverClock.now(redis))
        } catch {
            throw .redis(error)
        }
    }

    /// Creates and queues a job. With `requireNotedUpload`, only for an upload `noteUpload` has
    /// recorded (checked in the same script call); `QueueError.uploadNotNoted` otherwise.
    public func enqueue(
        _ request: JobRequest, idempotencyKey: String? = nil, requireNotedUpload: Bool = false
    ) async throws(QueueError) -> EnqueueOutcome {
        let id = UUID.random()
        var ownKeys = [keys.job(id), keys.events(id), keys.operatorPause, keys.upload(request.fileID)]
        if let idempotencyKey { ownKeys.append(keys.idempotency(idempotencyKey)) }
        let reply = try await run(QueueScripts.enqueue, keys: ownKeys, [
            id.lowercasedString, request.fileID.lowercasedString, String(request.numLayers),
            String(request.resolution), String(policy.maxAttempts), String(policy.maxQueueDepth),
            idempotencyKey == nil ? "" : request.fingerprint,
            String(policy.maxRecoveries), request.useCache ? "1" : "0",
            request.parent?.jobID.lowercasedString ?? "", request.parent.map { String($0.layer) } ?? "",
            request.webhook?.url ?? "", request.webhook?.eventList ?? "", requireNotedUpload ? "1" : "0",
        ])
        switch reply.tag {
        case "created": return .created(id)
        case "existing": return .existing(try jobID(reply))
        case "conflict": throw .idempotencyConflict(existing: try jobID(reply))
        case "full": throw .queueFull(depth: Int(try reply.integer(0)))
        case "no_upload": throw .uploadNotNoted(request.fileID)
        default: throw reply.unexpected()
        }
    }

    /// The job as stored now, or nil when unknown or expired.
    public func job(_ id: UUID) async throws(QueueError) -> Job? {
        let reply: RedisReply
        do {
            reply = try await redis.send(["HGETALL", keys.job(id)])
        } catch {
            throw .redis(error)
        }
        guard let fields = reply.fieldMap, !fields.isEmpty else { return nil }
        guard let job = Job(fields: fields) else { throw .redis(.unexpectedReply("job \(id) is malformed")) }
        return job
    }

    public func cancel(_ id: UUID) async throws(QueueError) -> CancelOutcome {
        let reply = try await run(QueueScripts.cancel, keys: [keys.job(id), keys.events(id)], [id.lowercasedString])
        switch reply.tag {
        case "missing": return .notFound
        case "cancelled", "finished":
            guard let status = JobStatus(rawValue: try reply.string(0)) else { throw reply.unexpected() }
            return reply.tag == "cancelled" ? .cancelled(was: status) : .alreadyFinished(status)
        default: throw reply.unexpected()
        }
    }

    /// Promotes due retries and recovers expired leases; any process may run
    /// it at any time, concurrently with others (one atomic script).
    @discardableResult
    public func sweep(limit: Int = 100) async throws(QueueError) -> (promoted: Int, recovered: Int) {
        let reply = try await run(QueueScripts.sweep, [String(limit)])
        return (Int(try reply.integer(0)), Int(try reply.integer(1)))
    }

    /// Jobs by state, lifetime counters, and whether the queue is claimable now (no budget hold, no
    /// operator's pause, no fleet pause, judged on the queue's clock): one pipeline of reads over `keys.demandKeys` and
    /// the dead set and counters.
    public func counts() async throws(QueueError) -> QueueCounts {
        let now = try await self.now().millisecondsSince1970
        do {
            let replies = try await redis.pipeline([
                ["LLEN", keys.wait], ["ZCARD", keys.delayed], ["ZCARD", keys.active], ["ZCARD", keys.dead],
                ["HGETALL", keys.stats], ["ZCOUNT", keys.delayed, "-inf", String(now)], ["EXISTS", keys.hold],
                ["GET", keys.fleetPause], ["EXISTS", keys.operatorPause],
            ])
            let totals = (replies[4].fieldMap ?? [:]).compactMapValues { Int64($0) }
            let pausedUntil = replies[7].int ?? 0
            return QueueCounts(
                waiting: Int(replies[0].int ?? 0), delayed: Int(replies[1].int ?? 0),
                active: Int(replies[2].int ?? 0), dead: Int(replies[3].int ?? 0), totals: totals,
                dueRetries: Int(replies[5].int ?? 0), held: (replies[6].int ?? 0) > 0, fleetPaused: pausedUntil > now,
                operatorPaused: (replies[8].int ?? 0) > 0)
        } catch {
            throw .redis(error)
        }
    }

    /// Ids of queued, delayed and running jobs and the uploads they read (`decomposer cleanup`
    /// keeps those files). One pass over the three structures and one pipelined read per job.
    public func unfinishedJobs() async throws(QueueError) -> (jobs: Set<UUID>, files: Set<UUID>) {
        do {
            let lists = try await redis.pipeline([
                ["LRANGE", keys.wait, "0", "-1"], ["ZRANGE", keys.delayed, "0", "-1"], ["ZRANGE", keys.active, "0", "-1"],
            ])
            let jobs = Set(lists.flatMap { $0.array ?? [] }.compactMap { $0.string.flatMap(UUID.init(spelling:)) })
            let fileReplies = try await redis.pipeline(jobs.map { ["HGET", keys.job($0), "file_id"] })
            return (jobs, Set(fileReplies.compactMap { $0.string.flatMap(UUID.init(spelling:)) }))
        } catch {
            throw .redis(error)
        }
    }

    /// Runs a queue script: the common keys and arguments (`library.lua`) in front of its own.
    func run(_ script: RedisScript, keys ownKeys: [String] = [], _ arguments: [String]) async throws(QueueError)
        -> ScriptReply
    {
        let now = clock.map { String($0()) } ?? ""
        let common = [keys.prefix, now, String(policy.retention.milliseconds), String(policy.deadLetterLimit)]
        let reply: RedisReply
        do {
            reply = try await redis.run(script, keys: keys.scriptKeys + ownKeys, arguments: common + arguments)
        } catch {
            throw .redis(error)
        }
        return try ScriptReply(reply, of: script)
    }

    private func jobID(_ reply: ScriptReply) throws(QueueError) -> UUID {
        guard let id = UUID(spelling: try reply.string(0)) else { throw reply.unexpected() }
        return id
    }
}
