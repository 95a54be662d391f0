import Synchronization

/// Set when graceful shutdown begins, so `/readyz` turns 503 at once and the
/// orchestrator stops routing new requests here while in-flight ones finish.
public final class DrainState: Sendable {
    private let draining = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func startDraining() { draining.store(true, ordering: .relaxed) }
}
