import DecomposerCore
import Logging
import SystemSupport

/// What runs beside a job's work: the lease renewal, and the elapsed-time
/// progress updates during a long GPU call.
extension JobRunner {
    /// Renews the lease every third of its duration while `body` runs; if the
    /// lease is lost or the job cancelled, `body` is cancelled (aborting a GPU
    /// call in flight).
    func withLeaseRenewal(_ lease: JobLease, logger: Logger, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let interval = queue.policy.leaseDuration / 3
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        try await queue.renew(lease)
                    } catch let error as QueueError {
                        if case .redis = error {
                            logger.warning("Lease renewal failed; will retry", metadata: ["error": "\(error)"])
                            continue
                        }
                        throw Stop.leaseGone(error)
                    }
                }
            }
            defer { group.cancelAll() }
            // The first to finish decides: the work, or a lost lease.
            try await group.next()
        }
    }

    /// While the GPU call runs, moves progress from 30 towards 79 with the elapsed seconds.
    /// Cancelled, the updates stop quietly and the call's own outcome is what is thrown (it
    /// says whether the aborted request had reached the endpoint, which decides its billing).
    func withElapsedUpdates<T: Sendable>(_ lease: JobLease, _ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await call() }
            group.addTask {
                let started = ContinuousClock.now
                let timeout = client.timeout
                while true {
                    guard (try? await Task.sleep(for: .seconds(5))) != nil else { return nil }
                    let elapsed = ContinuousClock.now - started
                    let share = min(Double(elapsed.milliseconds) / Double(max(timeout.milliseconds, 1)), 1)
                    let progress = 30 + Int(share * 49)
                    try? await queue.reportProgress(
                        lease, progress: progress, message: "Running on GPU (\(elapsed.components.seconds) s)")
                }
            }
            defer { group.cancelAll() }
            while let value = try await group.next() {
                if let value { return value }
            }
            throw CancellationError()
        }
    }
}
