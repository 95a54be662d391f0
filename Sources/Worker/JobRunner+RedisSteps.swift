import DecomposerCore
import Logging
import Redis

/// How a job's Redis steps behave when Redis goes away: fenced writes end the
/// run when refused, and every step rides out an outage for up to a lease.
extension JobRunner {
    /// Runs a fenced queue write; a refused one ends the run without further writes. A Redis
    /// outage is waited out: sending a fenced write again is safe, its token refuses a repeat
    /// of one that ended the lease, and a progress report counts its attempt once.
    @discardableResult
    func fenced<T: Sendable>(_ logger: Logger, _ write: () async throws -> T) async throws -> T {
        do {
            return try await ridingOutRedisOutage(logger, write)
        } catch let error as QueueError {
            switch error {
            case .leaseLost, .cancelled: throw Stop.leaseGone(error)
            default: throw error
            }
        }
    }

    /// Runs one Redis step of the job, riding out a Redis outage (a restart, a failover): while
    /// Redis cannot be reached the step is tried again, pauses growing to 1 s, for up to one
    /// lease period. Failing at once would throw away the work done — the GPU call above all —
    /// leave the call unbilled and the job to wait out its lease; past a lease period the job
    /// is another worker's to recover anyway. Every step may be sent again after the connection
    /// broke with it in flight (so it may have run): each is a read, fenced, or counted once.
    @discardableResult
    func ridingOutRedisOutage<T: Sendable>(
        _ logger: Logger, _ step: () async throws -> T
    ) async throws -> T {
        let giveUpAt = ContinuousClock.now + queue.policy.leaseDuration
        var pause = Duration.milliseconds(100)
        var waiting = false
        while true {
            do {
                let value = try await step()
                if waiting { logger.notice("Redis is reachable again; the job goes on") }
                return value
            } catch {
                guard let cause = Self.redisError(error), Self.isWorthWaiting(cause),
                    ContinuousClock.now + pause < giveUpAt
                else { throw error }
                if !waiting { logger.warning("Redis is unreachable; the job waits for it", metadata: ["error": "\(cause)"]) }
                waiting = true
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    private static func redisError(_ error: any Error) -> RedisError? {
        if let error = error as? RedisError { return error }
        if case .redis(let error)? = error as? QueueError { return error }
        return nil
    }

    /// Redis unreachable, cut off with the step in flight, or still loading its data.
    private static func isWorthWaiting(_ error: RedisError) -> Bool {
        switch error {
        case .unavailable, .connectionLost: return true
        case .server(let message): return message.hasPrefix("LOADING") || message.hasPrefix("BUSY")
        case .unexpectedReply, .shutdown: return false
        }
    }
}
