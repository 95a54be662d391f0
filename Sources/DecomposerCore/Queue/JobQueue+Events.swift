import Foundation
import Redis
import SystemSupport

extension JobQueue {
    /// Every change of a job after `version`, in order, from its stream.
    public func events(of id: UUID, after version: Int) async throws(QueueError) -> [Job] {
        do {
            let reply = try await redis.send(["XRANGE", keys.events(id), "0-\(version + 1)", "+"])
            return (reply.array ?? []).compactMap { entry in
                guard let parts = entry.array, parts.count == 2, let fields = parts[1].array, fields.count == 2,
                    let payload = fields[1].string
                else { return nil }
                return Job(eventPayload: payload)
            }
        } catch {
            throw .redis(error)
        }
    }

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
