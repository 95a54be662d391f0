import CostAlerts
import CostTracker
import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

/// Alerts are decided in Redis by the cost record that first crosses a threshold: once per
/// threshold per day for the whole fleet, however many records cross it at the same moment.
@Suite struct CostAlertDecisionTests {
    /// Two "workers" (each its own Redis client) bill 120 calls of $0.01 at once against a $1
    /// budget: 0.5, 0.8 and 1.0 each fire once, decided by the record that crossed them; three
    /// deliverers working the outbox at once POST each exactly once.
    @Test func thresholdsCrossedByConcurrentWorkersAreDeliveredExactlyOnceEach() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let otherQueue = context.otherProcessQueue()
        defer { otherQueue.redis.shutdown() }
        let workers = [context.tracker(), context.tracker(queue: otherQueue)]
        let jobs = (0..<12).map { _ in UUID() }
        let queued = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<120 {
                group.addTask {
                    try await workers[index % 2].recordAttempt(
                        jobID: jobs[index % 12], attempt: index / 12 + 1, duration: .seconds(10), succeeded: true
                    ).alertsQueued
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(queued == 3, "records that queued an alert")
        let pending = try await context.queue.pendingCostAlerts()
        #expect(Set(pending.map(\.threshold)) == ["0.5", "0.8", "1.0"])
        for alert in pending {
            let limit = Int64((Double(alert.threshold) ?? 0) * 1_000_000)
            #expect(alert.spentMicrodollars >= limit && alert.spentMicrodollars < limit + 10_000,
                    "\(alert.id) was decided by the record that crossed it (spent \(alert.spentMicrodollars))")
            #expect(alert.budgetMicrodollars == 1_000_000 && alert.day == context.day)
        }

        let receiver = try AlertReceiver()
        let deliverers = (0..<3).map { _ in context.deliverer(receiver.url) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for deliverer in deliverers { group.addTask { _ = try await deliverer.deliverDue() } }
            try await group.waitForAll()
        }
        #expect(receiver.thresholds.sorted() == [0.5, 0.8, 1.0], "one POST per threshold")
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
        // Further records the same day cross nothing new.
        let later = try await workers[0].recordAttempt(jobID: nil, duration: .seconds(100), succeeded: true)
        #expect(later.alertsQueued == 0)
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
    }

    /// One large call crosses 0.5 and 0.8 at once: both alerts, with the same spend.
    @Test func oneRecordCrossingTwoThresholdsQueuesBoth() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let tracker = context.tracker(budgetUSD: 50)
        #expect(try await tracker.recordAttempt(jobID: nil, duration: .seconds(20_000), succeeded: true).alertsQueued == 0)
        let crossing = try await tracker.recordAttempt(jobID: nil, duration: .seconds(21_000), succeeded: true)
        #expect(crossing.alertsQueued == 2)

        let receiver = try AlertReceiver()
        let steps = try await context.deliverer(receiver.url).deliverDue()
        #expect(steps.count == 2)
        #expect(receiver.thresholds.sorted() == [0.5, 0.8])
        #expect(receiver.bodies.allSatisfy { $0["spent_usd"] as? Double == 41 && $0["budget_usd"] as? Double == 50 })
    }

    /// The body names the day's five costliest jobs, costliest first, and nothing else.
    @Test func theBodyCarriesTheDaysCostliestJobs() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let tracker = context.tracker(budgetUSD: 0.5, thresholds: [1.0])
        let jobs = (0..<7).map { _ in UUID() }
        // Job k costs (k + 1) × $0.02, billed over two attempts; job 6's second attempt crosses $0.50.
        for (k, job) in jobs.enumerated() {
            try await tracker.recordAttempt(jobID: job, attempt: 1, duration: .seconds(10 * (k + 1)), succeeded: false)
        }
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
        for (k, job) in jobs.enumerated() {
            try await tracker.recordAttempt(jobID: job, attempt: 2, duration: .seconds(10 * (k + 1)), succeeded: true)
        }
        let receiver = try AlertReceiver()
        _ = try await context.deliverer(receiver.url).deliverDue()
        let body = try #require(receiver.bodies.first)
        #expect(receiver.requests.count == 1)
        #expect(Set(body.keys) == ["day", "threshold", "spent_usd", "budget_usd", "top_jobs"])
        #expect(body["day"] as? String == context.day)
        #expect(body["threshold"] as? Double == 1.0)
        #expect(body["spent_usd"] as? Double == 0.56)
        #expect(body["budget_usd"] as? Double == 0.5)
        let top = try #require(body["top_jobs"] as? [[String: Any]])
        #expect(top.map { $0["job_id"] as? String } == jobs.reversed().prefix(5).map(\.lowercasedString))
        #expect(top.map { $0["usd"] as? Double } == [0.14, 0.12, 0.1, 0.08, 0.06])
        #expect(top.allSatisfy { Set($0.keys) == ["job_id", "usd"] })
        #expect(receiver.requests.first?.headers["content-type"] == "application/json")
    }

    /// Each UTC day fires afresh; a record sent again (its reply lost) fires nothing.
    @Test func eachDayFiresAfreshAndARepeatedRecordFiresNothing() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let tracker = context.tracker(budgetUSD: 1, thresholds: [0.5])
        let job = try await context.queue.enqueue(JobRequest(fileID: UUID())).jobID
        let first = try await tracker.recordAttempt(jobID: job, attempt: 1, duration: .seconds(600), succeeded: true)
        let repeated = try await tracker.recordAttempt(jobID: job, attempt: 1, duration: .seconds(600), succeeded: true)
        #expect(first.alertsQueued == 1 && !repeated.billed && repeated.alertsQueued == 0)
        context.clock.advance(by: .seconds(86_400))
        let nextDay = try await tracker.recordAttempt(jobID: job, attempt: 2, duration: .seconds(600), succeeded: true)
        #expect(nextDay.alertsQueued == 1)
        let pending = try await context.queue.pendingCostAlerts()
        #expect(pending.map(\.day) == [UTCDay.key(for: Date(millisecondsSince1970: context.clock.now - 86_400_000)), context.day])
        // The day's job costs and fired thresholds expire with its cost figures.
        for key in [context.queue.keys.costDayJobs(context.day), context.queue.keys.costDayAlerts(context.day)] {
            let ttl = try #require(try await context.redis.send("TTL", key).int)
            #expect(ttl > 29 * 86_400 && ttl <= 30 * 86_400, "\(key)")
        }
    }

    /// Without thresholds (no receiver configured) or without a budget, nothing is queued.
    @Test func withoutThresholdsOrBudgetNothingIsQueued() async throws {
        let context = try await AlertTestContext()
        defer { context.shutdown() }
        let silent = CostTracker(queue: context.queue, rate: GPURate(usdPerHour: 3.6), dailyBudgetUSD: 1)
        let unbudgeted = CostTracker(queue: context.queue, rate: GPURate(usdPerHour: 3.6), alertThresholds: [0.5])
        #expect(silent.alerts == nil && unbudgeted.alerts == nil)
        #expect(try await silent.recordAttempt(jobID: nil, duration: .seconds(2_000), succeeded: true).alertsQueued == 0)
        #expect(try await unbudgeted.recordAttempt(jobID: nil, duration: .seconds(2_000), succeeded: true).alertsQueued == 0)
        #expect(try await context.queue.pendingCostAlerts().isEmpty)
    }
}
