import Foundation
import Redis
import Synchronization
import SystemSupport

/// Redis's clock, read without a round trip each time. The queue scripts date everything with
/// Redis's `TIME`; what Swift dates (the cost day, a job's age) must agree with them even when
/// this machine's clock is off, so `TIME` is read once a minute and its offset from the local
/// clock kept (the round trip's midpoint).
final class RedisServerClock: Sendable {
    private struct Reading {
        var offsetMilliseconds: Int64
        var takenAt: ContinuousClock.Instant
    }

    private let reading = Mutex<Reading?>(nil)
    private let refreshInterval: Duration

    init(refreshInterval: Duration = .seconds(60)) { self.refreshInterval = refreshInterval }

    /// Now on Redis's clock, in milliseconds since 1970.
    func now(_ redis: RedisClient) async throws(RedisError) -> Int64 {
        let fresh = reading.withLock { reading -> Int64? in
            guard let reading, ContinuousClock.now - reading.takenAt < refreshInterval else { return nil }
            return reading.offsetMilliseconds
        }
        if let offset = fresh { return Date().millisecondsSince1970 + offset }
        let before = Date().millisecondsSince1970
        let reply = try await redis.send(["TIME"])
        let after = Date().millisecondsSince1970
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw .unexpectedReply("TIME: \(reply)")
        }
        let server = seconds * 1000 + micros / 1000
        let offset = server - (before + after) / 2
        reading.withLock { $0 = Reading(offsetMilliseconds: offset, takenAt: .now) }
        return server
    }
}
