import DecomposerCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One Redis subscription per API process, fanned out to every WebSocket
/// watcher of every job. Watchers only get signals; each keeps its own
/// version tracker and fills gaps from the job's event stream, so a slow or
/// late watcher never holds up the others and never misses a change.
///
/// Subscribed only while someone watches (and `linger` after the last one
/// leaves): every enqueue and every progress step of the fleet publishes an
/// event, and a process nobody watches through should not be woken for each.
/// A new subscription tells every watcher to resync from the event stream,
/// so changes made while unsubscribed are not lost.
public final class JobWatchHub: Service, Sendable {
    /// What a watcher is told.
    enum Signal: Sendable {
        /// A change of the watched job (it may skip versions; the watcher fills gaps).
        case changed(RenderedJob)
        /// The subscription was (re)established: changes may have been missed.
        case resync
        /// The process is shutting down: close with 1001.
        case shutdown
        /// The queued job's place changed (`position`, `eta_seconds`, or why it has none).
        case place(QueuePlace)
    }

    private struct State {
        var watchers: [UUID: JobWatcherGroups] = [:]
        /// Watchers of every job (the admin page's event stream), by token.
        var feeds: [Int: AsyncStream<Signal>.Continuation] = [:]
        var nextToken = 0
        var count = 0
        var closed = false
        /// Watched jobs their watchers last saw queued: the only ones whose place is computed.
        var queued: Set<UUID> = []
        /// The place last pushed per watched queued job (pushed again only when it changes).
        var places: [UUID: QueuePlace] = [:]
        /// Some job changed since the places were last computed (a claim, cancel, release…).
        var moved = false
    }

    private let queue: JobQueue
    private let metrics: APIMetrics?
    private let logger: Logger
    private let linger: Duration
    /// Signals a job watcher may have waiting, or messages it may have unsent past NIO's
    /// high-water mark, before it counts as lagging (`WatchConnection`).
    let backlogLimit: Int
    private let lagClosures = Atomic<Int>(0)
    private let state = Mutex(State())
    /// Yields when the first watcher arrives; `run` subscribes then.
    private let demand: AsyncStream<Void>
    private let demandContinuation: AsyncStream<Void>.Continuation

    public init(
        queue: JobQueue, metrics: APIMetrics? = nil, linger: Duration = .seconds(30),
        backlogLimit: Int = JobWatchHub.defaultBacklogLimit, logger: Logger
    ) {
        self.queue = queue
        self.metrics = metrics
        self.linger = linger
        self.backlogLimit = max(0, backlogLimit)
        self.logger = logger
        (demand, demandContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A watcher's default bound: at one change a second, four minutes of a socket that does
    /// not drain (the kernel's and NIO's buffers hold hundreds of messages before it counts).
    public static let defaultBacklogLimit = 256

    /// Watchers connected now.
    public var watcherCount: Int { state.withLock { $0.count } }

    /// Watchers closed so far because they could not keep up (`StatusWebSocket.laggingCloseCode`).
    public var lagClosureCount: Int { lagClosures.load(ordering: .relaxed) }

    func noteMessageWritten() { metrics?.watchMessages.increment() }

    func noteLagClosure() {
        lagClosures.add(1, ordering: .relaxed)
        metrics?.watchersClosedLagging.increment()
    }

    /// Registers a watcher of `jobID` before it reads the job's snapshot, so no
    /// change can fall between the two. Nil once shutting down.
    func register(_ jobID: UUID, watcher: JobWatcher) -> Int? {
        let token: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextToken += 1
            state.watchers[jobID, default: JobWatcherGroups()].insert(watcher, token: state.nextToken)
            state.count += 1
            return state.nextToken
        }
        guard let token else { return nil }
        demandContinuation.yield()
        metrics?.watchers.increment()
        return token
    }

    /// Registers a watcher of every job's changes (the admin page's live counts): it rides the
    /// same subscription as the job watchers, so an open admin page costs no Redis connection of
    /// its own. Nil once shutting down.
    func registerFeed() -> (token: Int, signals: AsyncStream<Signal>)? {
        let (signals, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(256))
        let token: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextToken += 1
            state.feeds[state.nextToken] = continuation
            state.count += 1
            return state.nextToken
        }
        guard let token else { return nil }
        demandContinuation.yield()
        return (token, signals)
    }

    func unregisterFeed(token: Int) {
        state.withLock { state in
            if state.feeds.removeValue(forKey: token) != nil { state.count -= 1 }
        }
    }

    func unregister(_ jobID: UUID, token: Int) {
        let removed = state.withLock { state in
            guard state.watchers[jobID]?.remove(token: token) == true else { return false }
            if state.watchers[jobID]?.isEmpty == true {
                state.watchers[jobID] = nil
                state.queued.remove(jobID)
                state.places[jobID] = nil
            }
            state.count -= 1
            return true
        }
        if removed { metrics?.watchers.decrement() }
    }

    /// A watcher tells which status it last delivered (and, with its snapshot, the place it sent):
    /// only queued watched jobs get places.
    func noteStatus(_ jobID: UUID, queued: Bool, sentPlace: QueuePlace? = nil) {
        state.withLock { state in
            guard state.watchers[jobID] != nil else { return }
            if queued {
                if state.places[jobID] == nil, let sentPlace { state.places[jobID] = sentPlace }
                if state.queued.insert(jobID).inserted { state.moved = true }
            } else {
                state.queued.remove(jobID)
                state.places[jobID] = nil
            }
        }
    }

    /// Once a second at most, and only when some job changed (or every `placeRefresh`, for the
    /// ETA's inputs): the places of the watched queued jobs in one pipeline (O(log N) per job,
    /// `JobQueue.places`), each pushed to that job's watchers only when it differs from the last.
    private func publishPlaces() async {
        var lastComputed = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.placeInterval)
            let ids: [UUID] = state.withLock { state in
                guard state.moved || ContinuousClock.now - lastComputed >= Self.placeRefresh else { return [] }
                state.moved = false
                return Array(state.queued)
            }
            guard !ids.isEmpty else { continue }
            lastComputed = .now
            guard let places = try? await queue.places(of: ids) else { continue }
            let pushes: [(QueuePlace, JobWatcherGroups)] = state.withLock { state in
                places.compactMap { id, place in
                    guard state.queued.contains(id), state.places[id] != place else { return nil }
                    state.places[id] = place
                    // Out of the line (claimed, cancelled…) while its watchers still have it queued: its
                    // next version says so. Pushed, the same version again without a place would reach
                    // a watcher before that change does.
                    guard place != .notWaiting else { return nil }
                    return state.watchers[id].map { (place, $0) }
                }
            }
            for (place, watchers) in pushes { watchers.send(.place(place)) }
        }
    }

    static let placeInterval: Duration = .seconds(1)
    static let placeRefresh: Duration = .seconds(10)

    /// Routes the feed whenever someone watches, until graceful shutdown;
    /// then tells every watcher to close (1001) and waits, briefly, for them to go.
    public func run() async throws {
        for await _ in demand.cancelOnGracefulShutdown() where watcherCount > 0 {
            await cancelWhenGracefulShutdown { await self.routeWhileWatched() }
        }
        state.withLock { $0.closed = true }
        broadcast(.shutdown)
        let deadline = ContinuousClock.now + .seconds(5)
        while watcherCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        logger.info("Watch hub stopped (\(watcherCount) watchers still closing)")
    }

    /// One subscription, routed until nobody has watched for `linger`.
    private func routeWhileWatched() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in self.queue.eventFeed() {
                    switch event {
                    case .resubscribed:
                        self.broadcast(.resync)
                    case .changed(let change):
                        guard let job = change.job else { continue }
                        let (targets, feeds, place) = self.state.withLock { state in
                            state.moved = true
                            return (state.watchers[job.id], Array(state.feeds.values), state.places[job.id])
                        }
                        guard targets != nil || !feeds.isEmpty else { continue }
                        // Rendered once here, shared by reference by every watcher of the job.
                        let signal = Signal.changed(RenderedJob(job, place: place))
                        targets?.send(signal)
                        for continuation in feeds { continuation.yield(signal) }
                    }
                }
            }
            group.addTask { await self.publishPlaces() }
            group.addTask {
                var unwatchedSince: ContinuousClock.Instant?
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(self.linger, .seconds(1)))
                    if self.watcherCount > 0 {
                        unwatchedSince = nil
                    } else if let since = unwatchedSince, ContinuousClock.now - since >= self.linger {
                        return
                    } else if unwatchedSince == nil {
                        unwatchedSince = .now
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func broadcast(_ signal: Signal) {
        let (targets, feeds) = state.withLock { (Array($0.watchers.values), Array($0.feeds.values)) }
        for watchers in targets { watchers.send(signal) }
        for continuation in feeds { continuation.yield(signal) }
    }
}
