import Logging

/// Runs the sweep (due retries → wait list, expired leases → recovered) on a
/// timer. Every worker runs one (the API does not: with no worker nothing
/// would use what it moves; the autoscaling demand counts due retries, so a
/// worker is started for them); the script is atomic, so any number of
/// sweepers never double-deliver a job. Claims sweep too, so this matters
/// most when every worker is busy. Each tick, from the worker's start, also
/// repairs the wait list's `order` mirror when it disagrees with the list
/// (jobs queued by a release without it: an upgrade, or old API replicas still
/// running during one), so their positions are right; O(1) when consistent.
public struct QueueMaintenance: Sendable {
    public let queue: JobQueue
    public let interval: Duration
    let logger: Logger

    public init(queue: JobQueue, interval: Duration? = nil, logger: Logger) {
        self.queue = queue
        // A third of the lease: an expired lease is recovered well within one lease period.
        self.interval = interval ?? queue.policy.leaseDuration / 3
        self.logger = logger
    }

    /// Sweeps until the task is cancelled. Redis outages are logged once per
    /// outage, not once per tick.
    public func run() async {
        var failing = false
        while !Task.isCancelled {
            do {
                if case .rebuilt(let before, let waiting) = try await queue.repairOrder() {
                    logger.notice(
                        "Rebuilt the queue's position mirror from the wait list",
                        metadata: ["mirrored_before": "\(before)", "waiting": "\(waiting)"])
                }
                let (promoted, recovered) = try await queue.sweep()
                if failing { logger.info("Queue maintenance reaches Redis again") }
                failing = false
                if recovered > 0 { logger.warning("Recovered jobs whose worker stopped", metadata: ["count": "\(recovered)"]) }
                if promoted > 0 { logger.debug("Promoted due retries", metadata: ["count": "\(promoted)"]) }
            } catch {
                if !failing { logger.error("Queue maintenance failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
