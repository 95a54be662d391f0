import DecomposerCore
import SystemSupport

/// A pause shared by every worker: when the endpoint answers 429, the whole fleet holds off
/// until the time it asked for, not only the job that got the answer. The queue keeps it
/// (`JobQueue.pauseFleet`, one key on Redis's clock, only ever moved later).
public struct FleetPause: Sendable {
    let queue: JobQueue

    public init(queue: JobQueue) { self.queue = queue }

    /// Holds every worker off for `duration` from now (unless a later pause is already set).
    public func pause(for duration: Duration) async throws(QueueError) {
        try await queue.pauseFleet(for: duration)
    }

    /// How long until calls may resume; zero when not paused.
    public func remaining() async throws(QueueError) -> Duration {
        try await queue.fleetPauseRemaining()
    }

    /// Sleeps until the pause is over. Re-reads after each sleep: another
    /// worker may have extended it meanwhile.
    public func waitUntilOver() async throws {
        while true {
            let left = try await remaining()
            if left <= .zero { return }
            try await Task.sleep(for: left)
        }
    }
}
