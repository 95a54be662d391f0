/// A connection of its own for commands that block server-side (BLPOP):
/// they would stall every pipelined command behind them on a pool thread.
/// Cancelling the awaiting task interrupts the blocked read at once.
public final class RedisBlockingConnection: Sendable {
    private let client: RedisClient
    private let queue = WorkQueue<RedisWork>()
    private let thread: RedisConnectionThread

    init(client: RedisClient, name: String, readTimeout: Duration) {
        self.client = client
        self.thread = RedisConnectionThread(
            name: name, configuration: client.configuration, readTimeout: readTimeout,
            health: client.health, queue: queue, batchLimit: 1)
    }

    deinit { close() }

    /// Sends one command; throws `CancellationError` if the task was cancelled
    /// while it waited.
    public func send(_ command: [String]) async throws -> RedisReply {
        let reply: RedisReply
        do {
            reply = try await client.submit([command], to: queue, thread: thread)[0]
        } catch {
            try Task.checkCancellation()
            throw error
        }
        try Task.checkCancellation()
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    public func close() {
        for work in queue.close() { work.finish(.failure(.shutdown)) }
    }
}

extension RedisClient {
    /// A dedicated connection (and thread) for blocking commands. `readTimeout`
    /// must exceed the longest block the caller will ask for.
    public func makeBlockingConnection(name: String = "redis-blocking", readTimeout: Duration = .seconds(70))
        -> RedisBlockingConnection
    {
        RedisBlockingConnection(client: self, name: name, readTimeout: readTimeout)
    }
}
