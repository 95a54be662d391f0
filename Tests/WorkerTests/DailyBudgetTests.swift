import CostTracker
import DecomposerCore
import Foundation
import Testing
import TestSupport
import Worker

@Suite struct DailyBudgetTests {
    /// The hold was placed by another process's cost record: this worker, which has no budget
    /// of its own, claims nothing while it lasts (the claim script refuses), loses nothing, and
    /// runs every job once the hold ends.
    @Test func aWorkerWithoutABudgetHonoursAHoldItDidNotPlace() async throws {
        let harness = try await WorkerHarness { _, request in WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request)) }
        defer { harness.shutdown() }
        let ids = try await harness.enqueue(3)
        let message = "Daily GPU budget of $1.00 reached; jobs resume at 00:00 UTC"
        let placed = try await harness.queue.recordAttempt(
            AttemptRecord(jobID: nil, attempt: nil, microdollars: 1_000_000, gpuMilliseconds: 8_000_000, succeeded: true,
                          day: "2026-12-06"),
            retention: .seconds(86_400),
            budget: BudgetHold(limitMicrodollars: 1_000_000, message: message, endsAt: Date().addingTimeInterval(3600)))
        #expect(placed.holdPlacedOnJobs == 3)
        let worker = try harness.makeWorker()
        try await harness.withWorkers([worker]) {
            // The worker has seen the hold (its gauge says so) and claimed nothing.
            try await harness.waitFor {
                String(decoding: worker.metrics.registry.emitToBuffer(), as: UTF8.self)
                    .contains("decomposer_worker_budget_exhausted 1")
            }
            #expect(harness.endpoint.requestCount == 0, "nothing was sent to the GPU")
            for id in ids { #expect(try await harness.queue.job(id)?.message == message) }
            #expect(worker.isAcceptingJobs, "readiness stays up")
            // The hold ends (as it does at 00:00 UTC): the same worker resumes by itself.
            try await harness.redis.send("DEL", harness.queue.keys.hold)
            let jobs = try await harness.waitUntilFinished(ids)
            #expect(jobs.allSatisfy { $0.status == .completed })
        }
        #expect(harness.endpoint.requestCount == 3)
    }

    /// The call that spends the budget holds the queue in the same step as its cost record:
    /// no job is claimed after it, jobs claimed before it finish, and the rest wait, saying why.
    @Test func theCallThatSpendsTheBudgetHoldsTheQueueAtOnce() async throws {
        let harness = try await WorkerHarness { _, request in
            WorkerHarness.prediction(layers: WorkerHarness.layerCount(in: request), delay: .milliseconds(100))
        }
        defer { harness.shutdown() }
        // 1 µ$ per GPU millisecond; a $0.01 budget of which 9,999 µ$ are spent: any call spends the rest.
        let costs = CostTracker(queue: harness.queue, rate: GPURate(usdPerHour: 3.6), dailyBudgetUSD: 0.01)
        try await costs.recordAttempt(jobID: nil, duration: .milliseconds(9_999), succeeded: true)
        #expect(try await harness.queue.heldMessage() == nil)
        let ids = try await harness.enqueue(6)
        let worker = try harness.makeWorker(concurrency: 1, costs: costs)
        try await harness.withWorkers([worker]) {
            try await harness.waitFor {
                guard try await harness.queue.heldMessage() != nil else { return false }
                for id in ids where try await harness.queue.job(id)?.status == .processing { return false }
                return true
            }
        }
        let jobs = try await ids.asyncMap { try #require(try await harness.queue.job($0)) }
        let completed = jobs.filter { $0.status == .completed }
        let waiting = jobs.filter { $0.status == .queued }
        #expect(completed.count + waiting.count == ids.count, "nothing failed or lost: \(jobs.map(\.status))")
        #expect(harness.endpoint.requestCount == completed.count, "no call after the hold")
        // The first call spent the budget. A slot frees as a reply comes in, before its cost is
        // recorded, so jobs claimed while it was recorded (the next in the slot, one ahead) ran too;
        // none claimed later.
        #expect((1...3).contains(completed.count))
        #expect(!waiting.isEmpty)
        #expect(waiting.allSatisfy { $0.message == costs.budgetHoldMessage })
        #expect(costs.budgetHoldMessage == "Daily GPU budget of $0.01 reached; jobs resume at 00:00 UTC")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
