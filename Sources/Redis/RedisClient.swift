import Logging
import Synchronization

/// A pooled Redis client over hiredis.
///
/// Every hiredis call runs on the pool's own threads, never on the Swift
/// concurrency pool; callers `await` a continuation. While Redis is down,
/// commands fail fast with `RedisError.unavailable`; the pool reconnects by
/// itself (with backoff) once it is back.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    let logger: Logger
    let health = RedisHealth()
    private let queue = WorkQueue<RedisWork>()
    private let threads: [RedisConnectionThread]
    private let nextWorkID = Atomic<UInt64>(1)
    let scriptHashes = Mutex<[String: String]>([:])

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        self.logger = logger
        let queue = self.queue
        let health = self.health
        self.threads = (0..<max(1, configuration.poolSize)).map { index in
            RedisConnectionThread(
                name: "redis-pool-\(index)", configuration: configuration,
                readTimeout: configuration.commandTimeout, health: health, queue: queue, batchLimit: 256)
        }
    }

    /// Sends one command; an error reply throws `RedisError.server`.
    @discardableResult
    public func send(_ command: [String]) async throws(RedisError) -> RedisReply {
        let reply = try await submit([command], to: queue, thread: nil)[0]
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    @discardableResult
    public func send(_ parts: String...) async throws(RedisError) -> RedisReply {
        try await send(parts)
    }

    /// Sends commands in one round trip. Error replies stay in the result as
    /// `.error` so the caller sees which command failed.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await submit(commands, to: queue, thread: nil)
    }

    /// True after a failed connect until a later one succeeds.
    public var isDown: Bool { health.isDown }

    /// Stops the pool threads; queued commands fail with `.shutdown`.
    public func shutdown() {
        for work in queue.close() { work.finish(.failure(.shutdown)) }
    }

    func submit(
        _ commands: [[String]], to queue: WorkQueue<RedisWork>, thread: RedisConnectionThread?
    ) async throws(RedisError) -> [RedisReply] {
        let id = nextWorkID.wrappingAdd(1, ordering: .relaxed).oldValue
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let work = RedisWork(id: id, commands: commands, continuation: continuation)
                if !queue.push(work) { work.finish(.failure(.shutdown)) }
            }
        } onCancel: {
            thread?.interrupt(id)
        }
        thread?.forget(id)
        return try result.get()
    }
}
