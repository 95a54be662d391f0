import DecomposerCore
import Foundation
import Synchronization

/// The claim loop's state, shared with the jobs it runs and the shutdown
/// handler: stopping or not, the claim in progress, the jobs by stage
/// (`JobSlots`, the one count of this worker's jobs) and their tasks (so a
/// cancel can reach one). Every change is told on `changes`, which only the
/// claim loop reads; jobs claimed ahead wait here for their call slot.
final class WorkerState: Sendable {
    private struct State {
        var stopping = false
        var claim: Task<ClaimedJobs, any Error>?
        var slots: JobSlots
        /// The task running each job.
        var tasks: [UUID: Task<Void, Never>] = [:]
        /// Jobs claimed ahead, prepared, waiting for a call slot; oldest first.
        var waitingForSlot: [(id: UUID, continuation: CheckedContinuation<Void, any Error>)] = []

        /// Gives free call slots to the jobs waiting for one; returns who to wake.
        mutating func grantSlots() -> [CheckedContinuation<Void, any Error>] {
            var granted: [CheckedContinuation<Void, any Error>] = []
            waitingForSlot.removeAll { waiter in
                guard slots.takeCallSlot(waiter.id) else { return false }
                granted.append(waiter.continuation)
                return true
            }
            return granted
        }
    }

    private let state: Mutex<State>
    private let stopSignal = AsyncStream<Void>.makeStream()
    private let changeSignal = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// Jobs claimed ahead at most; also how many a claim ahead leaves waiting for idle workers.
    let aheadLimit: Int

    init(concurrency: Int, aheadLimit: Int) {
        self.aheadLimit = aheadLimit
        state = Mutex(State(slots: JobSlots(limit: concurrency, aheadLimit: aheadLimit)))
    }

    var changes: AsyncStream<Void> { changeSignal.stream }
    var isStopping: Bool { state.withLock { $0.stopping } }
    var freeCallSlots: Int { state.withLock { $0.slots.freeCallSlots } }
    var mayClaimAhead: Bool { state.withLock { !$0.stopping && $0.slots.mayClaimAhead } }
    var jobs: Int { state.withLock { $0.slots.jobs } }

    func noteWaiting(_ count: Int?) { state.withLock { $0.slots.noteWaiting(count) } }
    func claimed(_ id: UUID) { state.withLock { $0.slots.claimed(id) } }
    func claimedAhead(_ id: UUID) { state.withLock { $0.slots.claimedAhead(id) } }

    func callEnded(_ id: UUID) { change { $0.slots.callEnded(id) } }
    func ended(_ id: UUID) {
        change {
            $0.slots.ended(id)
            $0.tasks[id] = nil
        }
    }

    /// Records the task running job `id` (claimed just before), so a cancel can reach it.
    func track(_ id: UUID, _ task: Task<Void, Never>) { state.withLock { $0.tasks[id] = task } }

    /// Cancels the job's task (a user's cancel): its GPU transfer is aborted with it.
    func cancel(_ id: UUID) -> Bool {
        guard let task = state.withLock({ $0.tasks[id] }) else { return false }
        task.cancel()
        return true
    }

    /// Cancels every job's task (shutdown past its grace period): each hands its job back.
    func cancelAll() {
        for task in state.withLock({ Array($0.tasks.values) }) { task.cancel() }
    }

    /// Returns once the job claimed ahead holds a call slot. Throws `CancellationError` when its task is cancelled
    /// or shutdown begins: a job that has not called the endpoint yet is
    /// handed back at once.
    func waitForCallSlot(_ id: UUID) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.stopping || Task.isCancelled { return .failure(CancellationError()) }
                    if state.slots.takeCallSlot(id) { return .success(()) }
                    state.waitingForSlot.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waitingForSlot.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waitingForSlot.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Returns once shutdown began (or the waiting task is cancelled).
    func waitForStop() async {
        for await _ in stopSignal.stream {}
    }

    /// Records the claim in progress; one registered after shutdown began is cancelled at once.
    func register(_ claim: Task<ClaimedJobs, any Error>?) {
        let stopping = state.withLock { state -> Bool in
            state.claim = claim
            return state.stopping
        }
        if stopping { claim?.cancel() }
    }

    /// Stops claiming at once: the blocked BLPOP is interrupted, and jobs
    /// claimed ahead that still wait for a call slot go back to the queue.
    func stopClaiming() {
        let (claim, waiting) = state.withLock { state in
            state.stopping = true
            defer { state.waitingForSlot.removeAll() }
            return (state.claim, state.waitingForSlot.map(\.continuation))
        }
        claim?.cancel()
        for waiter in waiting { waiter.resume(throwing: CancellationError()) }
        stopSignal.continuation.finish()
        changeSignal.continuation.yield()
    }

    /// Applies a change of slots, hands freed call slots to waiting jobs, and tells the claim loop.
    private func change(_ body: (inout State) -> Void) {
        let granted = state.withLock { state in
            body(&state)
            return state.grantSlots()
        }
        for waiter in granted { waiter.resume() }
        changeSignal.continuation.yield()
    }
}
