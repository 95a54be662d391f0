import Dispatch

/// Runs blocking work (file reads and writes) on Dispatch's own
/// threads, keeping the Swift concurrency pool (2 threads here) free.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "decomposer.blocking-io", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
