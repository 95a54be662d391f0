import Foundation
import Synchronization

/// One dedicated OS thread for the endpoint's CPU work (JSON, base64,
/// decoding, decomposition, PNG encoding), first come first served.
///
/// A decomposition takes a core for a good fraction of a second; on the Swift
/// concurrency pool (one thread per core) it would stall every other task of
/// the process — the HTTP server's, and in tests the worker's. One thread
/// also behaves like the single model replica it stands in for: requests
/// queue rather than slow each other down.
final class ComputeThread: Sendable {
    /// Process-wide: every server in the process (tests start several) shares it.
    static let shared = ComputeThread(name: "local-endpoint-compute")

    private typealias Work = @Sendable () -> Void

    private let backlog = Mutex<[Work]>([])
    /// Counts queued work; the thread takes one item per signal.
    private let queued = DispatchSemaphore(value: 0)

    /// Private: the thread lives as long as the process.
    private init(name: String) {
        let thread = Thread { [self] in
            while true {
                queued.wait()
                let work = backlog.withLock { $0.removeFirst() }
                work()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Runs `work` on the thread once everything queued before it is done.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            backlog.withLock { $0.append { continuation.resume(with: Result { try work() }) } }
            queued.signal()
        }
    }
}
