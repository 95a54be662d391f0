import Redis
import SystemSupport

extension JobQueue {
    /// Holds every worker off calling the endpoint for `duration` from now (it answered 429),
    /// unless a later pause is already set: the pause only ever moves later. A job honours it as it
    /// starts its call (`startCall`: `progress.lua` records no call while it lasts).
    public func pauseFleet(for duration: Duration) async throws(QueueError) {
        let reply = try await run(
            QueueScripts.pauseFleet, keys: [keys.fleetPause], [String(max(duration.milliseconds, 1))])
        guard reply.tag == "paused" else { throw reply.unexpected() }
    }
}
