import DecomposerCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One Redis subscription per API process, fanned out to every WebSocket
/// watcher of every job. Watchers only get signals; each keeps its own
/// version tracker and fills gaps from the job's event stream, so a slow or
/// late watcher never holds up the others and never misses a change.
public final class JobWatchHub: Service, Sendable {
    /// What a watcher is told.
    enum Signal: Sendable {
        /// A change of the watched job (it may skip versions; the watcher fills gaps).
        case changed(Job)
        /// The subscription was (re)established: changes may have been missed.
        case resync
        /// The process is shutting down: close with 1001.
        case shutdown
    }

    private struct State {
        var watchers: [UUID: [Int: AsyncStream<Signal>.Continuation]] = [:]
        var nextToken = 0
        var count = 0
        var closed = false
    }

    private let queue: JobQueue
    private let metrics: APIMetrics?
    private let logger: Logger
    private let state = Mutex(State())

    public init(queue: JobQueue, metrics: APIMetrics? = nil, logger: Logger) {
        self.queue = queue
        self.metrics = metrics
        self.logger = logger
    }

    /// Watchers connected now.
    public var watcherCount: Int { state.withLock { $0.count } }

    /// Registers a watcher of `jobID` before it reads the job's snapshot, so no
    /// change can fall between the two. Nil once shutting down.
    func register(_ jobID: UUID) -> (token: Int, signals: AsyncStream<Signal>)? {
        let (signals, continuation) = AsyncStream.makeStream(of: Signal.self)
        let token: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextToken += 1
            state.watchers[jobID, default: [:]][state.nextToken] = continuation
            state.count += 1
            return state.nextToken
        }
        guard let token else { return nil }
        metrics?.watchers.increment()
        return (token, signals)
    }

    func unregister(_ jobID: UUID, token: Int) {
        let removed = state.withLock { state in
            guard state.watchers[jobID]?.removeValue(forKey: token) != nil else { return false }
            if state.watchers[jobID]?.isEmpty == true { state.watchers[jobID] = nil }
            state.count -= 1
            return true
        }
        if removed { metrics?.watchers.decrement() }
    }

    /// Routes the feed until graceful shutdown, then tells every watcher to
    /// close (1001) and waits, briefly, for them to go.
    public func run() async throws {
        for await event in queue.eventFeed().cancelOnGracefulShutdown() {
            switch event {
            case .resubscribed:
                broadcast(.resync)
            case .changed(let change):
                guard watcherCount > 0, let job = change.job else { continue }
                let targets = state.withLock { Array(($0.watchers[job.id] ?? [:]).values) }
                for continuation in targets { continuation.yield(.changed(job)) }
            }
        }
        state.withLock { $0.closed = true }
        broadcast(.shutdown)
        let deadline = ContinuousClock.now + .seconds(5)
        while watcherCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        logger.info("Watch hub stopped (\(watcherCount) watchers still closing)")
    }

    private func broadcast(_ signal: Signal) {
        let targets = state.withLock { $0.watchers.values.flatMap(\.values) }
        for continuation in targets { continuation.yield(signal) }
    }
}
