import Redis
import SystemSupport

extension JobQueue {
    /// Holds every worker off calling the endpoint for `duration` from now (it answered 429),
    /// unless a later pause is already set: the pause only ever moves later.
    public func pauseFleet(for duration: Duration) async throws(QueueError) {
        let reply = try await run(
            QueueScripts.pauseFleet, keys: [keys.fleetPause], [String(max(duration.milliseconds, 1))])
        guard reply.tag == "paused" else { throw reply.unexpected() }
    }

    /// How long until calls to the endpoint may resume; zero when the fleet is not paused.
    public func fleetPauseRemaining() async throws(QueueError) -> Duration {
        let reply = try await run(QueueScripts.fleetPauseRemaining, keys: [keys.fleetPause], [])
        guard reply.tag == "remaining" else { throw reply.unexpected() }
        return .milliseconds(try reply.integer(0))
    }
}
