import DecomposerCore
import Foundation

extension WorkerService {
    /// Tells the fleet this worker's call slots every lease/3, each advertisement valid for one
    /// lease, so a worker that dies stops counting within a lease: queued jobs' ETA divides their
    /// position by the sum. A failed renewal is retried on the next tick (the ETA is advisory).
    func advertiseSlots() async {
        let lease = queue.policy.leaseDuration
        while !Task.isCancelled {
            _ = try? await queue.advertiseSlots(worker: workerID, slots: concurrency, timeToLive: lease)
            try? await Task.sleep(for: lease / 3)
        }
    }
}
