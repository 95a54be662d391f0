import Foundation
import Synchronization

/// The jobs this process is running, so a user's cancellation (seen on the
/// event feed) can abort the right one at once.
final class RunningJobs: Sendable {
    private let tasks = Mutex<[UUID: Task<Void, Never>]>([:])

    func add(_ id: UUID, _ task: Task<Void, Never>) { tasks.withLock { $0[id] = task } }
    func remove(_ id: UUID) { tasks.withLock { _ = $0.removeValue(forKey: id) } }
    var count: Int { tasks.withLock { $0.count } }

    /// Cancels every job's task (shutdown past its grace period): each hands its job back.
    func cancelAll() {
        for task in tasks.withLock({ Array($0.values) }) { task.cancel() }
    }

    /// Cancels the job's task; its GPU transfer is aborted with it.
    @discardableResult
    func cancel(_ id: UUID) -> Bool {
        guard let task = tasks.withLock({ $0[id] }) else { return false }
        task.cancel()
        return true
    }
}
