import Synchronization

/// One watcher's signals, between the hub's one routing task and that watcher's socket,
/// bounded: a watcher whose socket cannot keep up (its writes wait on a client that does not
/// read) would otherwise pile up every later change in memory. When a signal finds the buffer
/// full the watcher is marked lagging and its delivery is cancelled; it then closes with
/// `StatusWebSocket.laggingCloseCode`, so its client reconnects and catches up from a fresh
/// snapshot. Nothing is dropped silently: a watcher either gets every version or is told to
/// reconnect.
final class WatcherInbox: Sendable {
    let signals: AsyncStream<JobWatchHub.Signal>
    private let continuation: AsyncStream<JobWatchHub.Signal>.Continuation
    private let lag = Mutex(LagState())

    private struct LagState {
        var lagging = false
        /// What to do when the watcher falls behind (cancel its delivery).
        var onLag: (@Sendable () -> Void)?
    }

    /// `limit`: signals held for a watcher that has not taken them yet.
    init(limit: Int) {
        (signals, continuation) = AsyncStream.makeStream(of: JobWatchHub.Signal.self, bufferingPolicy: .bufferingOldest(limit))
    }

    /// Hands `signal` to the watcher; false when its buffer was full (the watcher is lagging now).
    @discardableResult
    func send(_ signal: JobWatchHub.Signal) -> Bool {
        guard case .dropped = continuation.yield(signal) else { return true }
        let action: (@Sendable () -> Void)? = lag.withLock { state in
            guard !state.lagging else { return nil }
            state.lagging = true
            return state.onLag
        }
        action?()
        return false
    }

    /// The watcher fell behind and must be closed with the reconnect code.
    var isLagging: Bool { lag.withLock { $0.lagging } }

    /// Runs `action` when the watcher falls behind (at once if it already has).
    func onLag(_ action: @escaping @Sendable () -> Void) {
        let lagging = lag.withLock { state in
            state.onLag = action
            return state.lagging
        }
        if lagging { action() }
    }

    func finish() { continuation.finish() }
}
