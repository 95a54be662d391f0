import Foundation
import Synchronization

/// Runs CPU-bound work on threads of its own, keeping it off the Swift
/// concurrency pool. The worker's pool (`ComputePool.shared` in `Worker`:
/// preparing the upload, decoding the response, checking the layers) has one
/// thread per core; the local endpoint's has one thread, the single model
/// replica it stands in for.
///
/// NOT plain first come first served: work goes into one of two lanes, each
/// taken in order, and lane `.first` before any `.normal`, so a short step on
/// a job's critical path does not wait behind other jobs' long stages.
///
/// Why not `BlockingIO`'s concurrent queue, as before: Dispatch adds threads
/// whenever some block (file I/O shares that queue), and the OS then
/// time-slices every CPU stage in flight. Sixteen jobs whose GPU calls end
/// together then finish their CPU stages together, all late, and go back to
/// the GPU together while the cores sit idle — a convoy that made a 500 ms
/// endpoint at concurrency 16 slower than a 0 ms one. Taken in order, each
/// stage finishes as early as the cores allow, jobs spread out, and the CPU
/// work of some overlaps the GPU calls of others.
public final class ComputePool: Sendable {
    private typealias Work = @Sendable () -> Void

    /// Pending work, oldest first; `head` avoids shifting the array on every take.
    private struct Backlog {
        var items: [Work?] = []
        var head = 0

        var count: Int { items.count - head }

        mutating func append(_ work: @escaping Work) { items.append(work) }

        mutating func takeFirst() -> Work? {
            guard head < items.count else { return nil }
            let work = items[head]
            items[head] = nil
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
            return work
        }
    }

    /// Which backlog a piece of work joins: `.first` is taken before any `.normal`.
    public enum Lane: Sendable {
        /// Short work on a job's critical path (decoding a response): it should
        /// not wait behind other jobs' long stages.
        case first
        case normal
    }

    private struct Backlogs {
        var first = Backlog()
        var normal = Backlog()

        mutating func takeNext() -> Work? { first.takeFirst() ?? normal.takeFirst() }
    }

    private let backlogs = Mutex(Backlogs())
    /// Counts queued work items; each thread takes one per signal.
    private let queued = DispatchSemaphore(value: 0)

    /// Starts `threads` threads named `name-0`, `name-1`, …; they live as long
    /// as the process, so pools are made once (tests make small ones).
    public init(threads: Int, name: String = "compute") {
        for index in 0..<max(threads, 1) {
            Thread.startNamed("\(name)-\(index)") { [self] in
                while true {
                    queued.wait()
                    backlogs.withLock { $0.takeNext() }?()
                }
            }
        }
    }

    /// Work queued and not yet started (what tests watch to order work).
    public var backlogCount: Int {
        backlogs.withLock { $0.first.count + $0.normal.count }
    }

    /// Runs `work` on a pool thread once the work queued before it in its
    /// lane (and all of lane `.first`) has started.
    public func run<T: Sendable>(_ lane: Lane = .normal, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let item: Work = { continuation.resume(with: Result { try work() }) }
            backlogs.withLock { backlogs in
                switch lane {
                case .first: backlogs.first.append(item)
                case .normal: backlogs.normal.append(item)
                }
            }
            queued.signal()
        }
    }

    /// `transform` applied to every element, the elements side by side on the
    /// pool's threads (a job's five layer checks take a fifth of the time on
    /// five cores). Results are in the order of `items`; if several fail, the
    /// error of the first one in that order is thrown, as a loop would.
    public func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Int, Item) throws -> Output
    ) async throws -> [Output] {
        let outcomes = await withTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await self.run(.normal) { try transform(index, item) }))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var outcomes = [Result<Output, any Error>?](repeating: nil, count: items.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        return try outcomes.map { try $0!.get() }
    }
}
