import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// Every change of a job after `version`, in order, from its stream. From version 0 (a job's
    /// history) the first is rebuilt from the job when its stream starts at the second (`firstEvent`).
    public func events(of id: UUID, after version: Int) async throws(QueueError) -> [Job] {
        let range = ["XRANGE", keys.events(id), "0-\(version + 1)", "+"]
        let replies: [RedisReply]
        do {
            replies = try await version == 0 ? redis.pipeline([range, ["HGETALL", keys.job(id)]]) : [redis.send(range)]
        } catch {
            throw .redis(error)
        }
        var events = (replies[0].array ?? []).compactMap { entry -> Job? in
            guard let parts = entry.array, parts.count == 2, let fields = parts[1].array, fields.count == 2,
                let payload = fields[1].string
            else { return nil }
            return Job(eventPayload: payload)
        }
        // The stream's first version; an empty stream would have gone on at the job's next one.
        if replies.count == 2, let fields = replies[1].fieldMap, let current = fields["version"].flatMap(Int.init) {
            let streamStart = events.first?.version ?? current + 1
            if streamStart == 2, let first = Self.firstEvent(of: fields) { events.insert(first, at: 0) }
        }
        return events
    }

    /// Version 1 of a job, rebuilt from its hash: what `enqueue` wrote, with its first values. The
    /// enqueue script announces a new job's first event but keeps it in the stream only when its
    /// message is not `waitingMessage` (nobody watches a job before its id is answered; a stream
    /// costs Redis about 4.7 KiB), so this is the event it announced. Keep the fields alike with
    /// enqueue.lua's HSET.
    static func firstEvent(of fields: [String: String]) -> Job? {
        var first = fields.filter { Self.enqueuedFields.contains($0.key) }
        for (name, value) in [
            ("attempts", "0"), ("recoveries", "0"), ("cost_micros", "0"), ("version", "1"), ("status", "queued"),
            ("progress", "0"), ("message", Self.waitingMessage),
        ] {
            first[name] = value
        }
        first["updated_at"] = fields["created_at"]
        return Job(fields: first)
    }

    /// The fields `enqueue` writes whose first values the hash still has.
    private static let enqueuedFields: Set = [
        "id", "file_id", "num_layers", "resolution", "max_attempts", "max_recoveries", "created_at", "cache",
        "parent_job_id", "parent_layer",
    ]

    /// Every job change in the queue, live, from one subscription.
    public func eventFeed() -> AsyncStream<JobFeedEvent> {
        let subscription = redis.subscribe(to: [keys.eventsChannel])
        return AsyncStream { continuation in
            let task = Task {
                for await event in subscription {
                    switch event {
                    case .subscribed:
                        continuation.yield(.resubscribed)
                    case .message(_, let payload):
                        continuation.yield(.changed(JobChange(payload: payload)))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The id of every running job that is cancelled, live (the `cancel` script publishes it),
    /// so a worker learns of cancellations without reading the fleet's every job event.
    /// A cancel missed while the subscription was down is not lost: the job's next fenced
    /// write (a renewal at the latest) is refused.
    public func cancellations() -> AsyncStream<UUID> {
        let subscription = redis.subscribe(to: [keys.cancellationsChannel])
        return AsyncStream { continuation in
            let task = Task {
                for await event in subscription {
                    if case .message(_, let payload) = event, let id = UUID(spelling: payload) {
                        continuation.yield(id)
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

public enum JobFeedEvent: Sendable {
    /// (Re)subscribed: changes may have been missed, watchers catch up.
    case resubscribed
    case changed(JobChange)
}

/// One job event as published. Decoded on demand: every enqueue and every
/// progress step publishes one, and a process with nobody watching should
/// not pay for reading them.
public struct JobChange: Sendable {
    public let payload: String

    public init(payload: String) { self.payload = payload }

    /// Nil when the payload is not a job (never written by the queue scripts).
    public var job: Job? { Job(eventPayload: payload) }
}

/// The last version delivered to one watcher: accepts only the next version,
/// and says which versions to fetch when a message skips ahead.
public struct JobVersionTracker: Sendable {
    public private(set) var delivered: Int

    public init(delivered: Int) { self.delivered = delivered }

    /// True (and recorded) when `job` is the next version; duplicates and old versions are refused.
    public mutating func accept(_ job: Job) -> Bool {
        guard job.version == delivered + 1 else { return false }
        delivered = job.version
        return true
    }

    /// What to deliver on receiving `job`: it alone when it is next, the stream
    /// range up to it when versions were skipped, nothing when already seen.
    public func gapFill(for job: Job, from queue: JobQueue) async throws(QueueError) -> [Job] {
        if job.version <= delivered { return [] }
        if job.version == delivered + 1 { return [job] }
        return try await queue.events(of: job.id, after: delivered).filter { $0.version <= job.version }
    }
}
