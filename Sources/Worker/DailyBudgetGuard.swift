import CostTracker
import DecomposerCore
import Foundation
import Logging

/// `DAILY_BUDGET_USD`: once today's attributed cost reaches the budget, this
/// worker claims nothing until the next UTC day. Jobs already running finish;
/// queued jobs stay queued and say why (a queue hold, placed once for the
/// whole fleet, so one warning is logged, not one per job or per worker).
public struct DailyBudgetGuard: Sendable {
    let costs: CostTracker
    let queue: JobQueue
    let limitMicrodollars: Int64
    let logger: Logger
    /// Injected in tests; the real clock otherwise.
    let now: @Sendable () -> Date

    public init(costs: CostTracker, queue: JobQueue, usdPerDay: Double, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.costs = costs
        self.queue = queue
        limitMicrodollars = Int64((usdPerDay * 1_000_000).rounded())
        self.logger = logger
        self.now = now
    }

    /// Returns at once while today's spending is under the budget; otherwise
    /// places the hold (once, fleet-wide) and waits until the next UTC day or
    /// until `isStopping` (checked every second).
    func waitWhileExhausted(metrics: WorkerMetrics, isStopping: () -> Bool) async {
        guard let reset = await exhaustedUntil() else {
            metrics.budgetExhausted.set(Int64(0))
            return
        }
        metrics.budgetExhausted.set(Int64(1))
        while !isStopping(), now() < reset, !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// When claiming may resume, or nil while today's spending is under the budget.
    /// A Redis failure reads as "under budget": the claim that follows fails on its own.
    func exhaustedUntil() async -> Date? {
        let today = now()
        guard let spent = try? await costs.days(last: 1, endingAt: today).first?.microdollars,
            spent >= limitMicrodollars
        else { return nil }
        let reset = UTCDay.startOfNextDay(after: today)
        if let annotated = try? await queue.hold(message: holdMessage, until: reset) {
            logger.warning("\(holdMessage): claiming stopped, \(annotated) queued jobs wait")
        }
        return reset
    }

    /// What queued jobs say while the budget is spent.
    var holdMessage: String {
        "Daily GPU budget of $\(String(format: "%.2f", Double(limitMicrodollars) / 1_000_000)) reached; jobs resume at 00:00 UTC"
    }
}
