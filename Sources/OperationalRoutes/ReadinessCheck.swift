import Hummingbird
import Redis

/// Ready = not draining or stopping, and Redis answers a PING. Nothing more:
/// a probe runs every few seconds on every replica, so it must cost Redis one
/// round trip (queue scripts are loaded once per process and again on NOSCRIPT,
/// not here).
struct ReadinessCheck: Sendable {
    let redis: RedisClient
    let isStopping: @Sendable () -> Bool

    func response() async -> Response {
        guard !isStopping() else {
            return ProbeStatus.unavailable(reason: "shutting down").response(.serviceUnavailable)
        }
        do {
            _ = try await redis.send("PING")
            return ProbeStatus.ready.response(.ok)
        } catch {
            return ProbeStatus.unavailable(reason: error.description).response(.serviceUnavailable)
        }
    }
}
