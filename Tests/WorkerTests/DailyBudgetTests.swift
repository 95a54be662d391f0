import CostTracker
import DecomposerCore
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
import Worker

@Suite struct DailyBudgetTests {
    /// Today's cost has reached the budget: nothing is claimed, queued jobs say
    /// why, nothing fails; the next UTC day (an injected clock) resumes them all.
    @Test func aSpentBudgetStopsClaimingUntilTheNextUTCDayAndLosesNothing() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let today = Date()
        let clock = Mutex(today)
        // $1.00 budget; $1.80 already attributed today (4 h at 0.45 USD/h).
        try await harness.costs.recordAttempt(jobID: nil, duration: .seconds(4 * 3600), succeeded: true, at: today)
        let budget = DailyBudgetGuard(
            costs: harness.costs, queue: harness.queue, usdPerDay: 1, logger: Logger(label: "budget-test"),
            now: { clock.withLock { $0 } })
        let ids = try await harness.enqueue(3)
        let worker = try harness.makeWorker(budget: budget)
        let metrics = try await harness.withWorkers([worker]) { () -> String in
            try await harness.waitFor {
                var held = 0
                for id in ids where try await harness.queue.job(id)?.message.hasPrefix("Daily GPU budget of $1.00 reached") == true {
                    held += 1
                }
                return held == ids.count
            }
            let text = String(decoding: worker.metrics.registry.emitToBuffer(), as: UTF8.self)
            #expect(harness.endpoint.requestCount == 0, "nothing was sent to the GPU")
            #expect(try await harness.queue.counts().waiting == 3)
            #expect(worker.isAcceptingJobs, "readiness stays up")
            // The next UTC day: the same worker resumes by itself.
            clock.withLock { $0 = UTCDay.startOfNextDay(after: today).addingTimeInterval(1) }
            let jobs = try await harness.waitUntilFinished(ids)
            #expect(jobs.allSatisfy { $0.status == .completed })
            return text
        }
        #expect(metrics.contains("decomposer_worker_budget_exhausted 1"), "\(metrics)")
        #expect(harness.endpoint.requestCount == 3)
    }
}
