import DecomposerCore
import Foundation
import Redis

/// What only tests do with the queue: one job's changes with their own subscription (a
/// process serving watchers shares one feed instead, see `JobWatchHub`), and claiming one
/// job with a blocking wait.
extension JobQueue {
    /// One job from its current snapshot through every later change, with no
    /// gap and no duplicate, ending after a finished state. Uses its own
    /// subscription; a process serving many watchers shares one feed instead
    /// (see `JobVersionTracker`).
    func watch(_ id: UUID) -> AsyncThrowingStream<Job, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var tracker: JobVersionTracker?
                    for await event in eventFeed() {
                        var deliveries: [Job] = []
                        switch event {
                        case .resubscribed:
                            // The first subscription, or a reconnect that may have missed
                            // messages: catch up from the snapshot or the stream.
                            if let current = tracker {
                                deliveries = try await events(of: id, after: current.delivered)
                            } else {
                                guard let snapshot = try await job(id) else {
                                    continuation.finish(throwing: QueueError.redis(.unexpectedReply("job \(id) not found")))
                                    return
                                }
                                deliveries = [snapshot]
                            }
                        case .changed(let change):
                            guard let job = change.job, job.id == id else { continue }
                            deliveries = try await tracker?.gapFill(for: job, from: self) ?? []
                        }
                        for job in deliveries {
                            if tracker == nil { tracker = JobVersionTracker(delivered: job.version - 1) }
                            guard tracker!.accept(job) else { continue }
                            continuation.yield(job)
                            if job.status.isFinished {
                                continuation.finish()
                                return
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Claims the next job, blocking on Redis while there is none.
    func nextJob(waitingOn connection: RedisBlockingConnection, progress: Int, message: String) async throws -> JobLease {
        try await nextJobs(waitingOn: connection, upTo: 1, progress: progress, message: message).leases[0]
    }
}
