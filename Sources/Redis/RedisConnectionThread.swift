import Foundation
import Synchronization
import SystemSupport

/// One command or pipeline waiting for a connection thread.
struct RedisWork: Sendable {
    let id: UInt64
    let commands: [[String]]
    let continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>

    func finish(_ result: Result<[RedisReply], RedisError>) { continuation.resume(returning: result) }
}

/// An OS thread that owns one `RedisConnection` for its whole life and runs
/// work from a queue on it. Threads of a pool share one queue; each takes
/// whatever is waiting and sends it as one pipeline (auto-pipelining), which
/// is what lets a handful of connections carry tens of thousands of requests
/// a second.
final class RedisConnectionThread: Sendable {
    private struct InFlight {
        var work: UInt64?
        var fileDescriptor: Int32?
        var interrupted: Set<UInt64> = []
    }

    private let inFlight = Mutex(InFlight())

    init(
        name: String,
        configuration: RedisConfiguration,
        readTimeout: Duration?,
        health: RedisHealth,
        queue: WorkQueue<RedisWork>,
        batchLimit: Int
    ) {
        Thread.startNamed(name) { [self] in
            self.run(configuration: configuration, readTimeout: readTimeout, health: health,
                     queue: queue, batchLimit: batchLimit)
        }
    }

    /// Aborts work `id` if it is running (shutdown(2) on its socket, which
    /// makes a blocked read return at once) or makes it fail when it starts.
    func interrupt(_ id: UInt64) {
        inFlight.withLock { state in
            if state.work == id, let fd = state.fileDescriptor {
                _ = shutdown(fd, Int32(SHUT_RDWR))
            } else {
                state.interrupted.insert(id)
            }
        }
    }

    /// Forgets an interrupt that arrived after its work had already finished.
    func forget(_ id: UInt64) {
        inFlight.withLock { _ = $0.interrupted.remove(id) }
    }

    private func run(
        configuration: RedisConfiguration,
        readTimeout: Duration?,
        health: RedisHealth,
        queue: WorkQueue<RedisWork>,
        batchLimit: Int
    ) {
        var connection: RedisConnection?
        while let batch = queue.takeBatch(limit: batchLimit) {
            let live = batch.filter { work in
                let cancelled = inFlight.withLock { $0.interrupted.remove(work.id) != nil }
                if cancelled { work.finish(.failure(.connectionLost("interrupted"))) }
                return !cancelled
            }
            guard !live.isEmpty else { continue }
            let result = execute(
                live, on: &connection, configuration: configuration, readTimeout: readTimeout, health: health)
            switch result {
            case .success(let replies):
                var offset = 0
                for work in live {
                    let end = offset + work.commands.count
                    work.finish(.success(Array(replies[offset..<end])))
                    offset = end
                }
            case .failure(let error):
                for work in live { work.finish(.failure(error)) }
            }
        }
    }

    private func execute(
        _ batch: [RedisWork],
        on connection: inout RedisConnection?,
        configuration: RedisConfiguration,
        readTimeout: Duration?,
        health: RedisHealth
    ) -> Result<[RedisReply], RedisError> {
        if let current = connection, current.isBroken || current.peerHasHungUp {
            connection = nil
        }
        if connection == nil {
            if let refusal = health.refusalBeforeConnecting() { return .failure(refusal) }
            do {
                connection = try RedisConnection(configuration, readTimeout: readTimeout)
                health.connected()
            } catch {
                health.connectFailed(error)
                return .failure(error)
            }
        }
        guard let active = connection else { return .failure(.unavailable("no connection")) }

        // An interrupt that came after `run` looked (while connecting, say) is in
        // `interrupted`; looking again under the lock that publishes the descriptor
        // means every interrupt either finds the descriptor or is seen here.
        let interruptedMeanwhile = inFlight.withLock { state in
            if batch.count == 1, state.interrupted.remove(batch[0].id) != nil { return true }
            state.work = batch.count == 1 ? batch[0].id : nil
            state.fileDescriptor = active.fileDescriptor
            return false
        }
        if interruptedMeanwhile { return .failure(.connectionLost("interrupted")) }
        let result: Result<[RedisReply], RedisError>
        do {
            result = .success(try active.execute(batch.flatMap(\.commands)))
        } catch {
            result = .failure(error)
        }
        // Clear the descriptor before the connection can be freed, so an
        // interrupt never shuts down a reused descriptor.
        inFlight.withLock { state in
            state.work = nil
            state.fileDescriptor = nil
        }
        if case .failure = result { connection = nil }
        return result
    }
}
