import Dispatch

/// Runs blocking file work (reads, writes, `fsync`, `rename`, `stat`) off the
/// Swift concurrency pool, which has one thread per core (two here) and must
/// never wait on a disk. The one way every module does so.
///
/// Why a Dispatch concurrent queue and not NIO's `NIOThreadPool.singleton`:
/// that pool has one thread per core too, so a worker's saving places, each
/// flushing five layer files, would queue their `fsync`s behind one another
/// (and behind an in-process API's uploads); Dispatch adds threads while work
/// blocks, so flushes overlap, as the worker's pipeline benchmarks measured.
/// Waiting threads take no CPU. CPU-bound work does not belong here: see
/// `ComputePool` for why it needs threads of its own. It also keeps this
/// module free of NIO. (Hummingbird's `FileIO`, which streams response
/// bodies, still takes a `NIOThreadPool` of its own choosing.)
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "decomposer.blocking-io", attributes: .concurrent)

    /// Runs `work` on a Dispatch thread and returns its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
