import DecomposerCore
import Foundation
import SystemSupport

/// Attributes GPU cost to every call that reached the prediction endpoint: per UTC day (one
/// hash per day, integers so concurrent increments sum exactly, expiring after the retention)
/// and per job, holds the queue once a day's spend reaches `DAILY_BUDGET_USD`, and has the queue
/// decide a cost alert when the spend first crosses one of `COST_ALERT_THRESHOLDS` of it. It
/// prices; the queue (`JobQueue.recordAttempt`) writes. Days are Redis's, like every queue time.
public struct CostTracker: Sendable {
    public let queue: JobQueue
    public let rate: GPURate
    public let retentionDays: Int
    /// `DAILY_BUDGET_USD` in micro-dollars; nil = no budget.
    public let dailyBudgetMicrodollars: Int64?
    /// The alert thresholds in micro-dollars of the day's spend; nil = no alerts (no receiver, or no budget).
    public let alerts: CostAlertThresholds?

    /// - Parameters:
    ///   - alertThresholds: fractions of the daily budget (`COST_ALERT_THRESHOLDS`) at which a day's
    ///     spend raises an alert, once each per day for the whole fleet; empty (or no budget) = none.
    ///     Pass them only where alerts are delivered (`COST_ALERT_WEBHOOK_URL` is set).
    ///   - alertOutboxRetention: how long the alert outbox outlives its last new alert; longer
    ///     than the deliverers' give-up age.
    public init(
        queue: JobQueue, rate: GPURate, retentionDays: Int = 30, dailyBudgetUSD: Double? = nil,
        alertThresholds: [Double] = [], alertOutboxRetention: Duration = .seconds(2 * 86_400)
    ) {
        self.queue = queue
        self.rate = rate
        self.retentionDays = retentionDays
        let budget = dailyBudgetUSD.map { Int64(($0 * 1_000_000).rounded()) }
        dailyBudgetMicrodollars = budget
        alerts = if let budget, !alertThresholds.isEmpty {
            CostAlertThresholds(
                thresholds: alertThresholds.sorted().map {
                    CostAlertThresholds.Threshold(
                        label: CostAlertSettings.label($0), microdollars: Int64((Double(budget) * $0).rounded()))
                },
                outboxRetention: alertOutboxRetention)
        } else {
            nil
        }
    }

    /// Records one endpoint call of `duration` on `date`'s UTC day (nil: now, on Redis's clock).
    /// `attempt`: which of the job's calls this was — billed once however often it is recorded.
    /// The record that brings the day to the budget holds the queue until the next UTC day; the one
    /// that first crosses an alert threshold queues that alert (never waiting for its delivery).
    @discardableResult
    public func recordAttempt(
        jobID: UUID?, attempt: Int? = nil, duration: Duration, succeeded: Bool, at date: Date? = nil
    ) async throws(QueueError) -> AttemptBilling {
        let day = if let date { date } else { try await queue.now() }
        let record = AttemptRecord(
            jobID: jobID, attempt: attempt, microdollars: rate.cost(of: duration),
            gpuMilliseconds: duration.milliseconds, succeeded: succeeded, day: UTCDay.key(for: day))
        let hold = dailyBudgetMicrodollars.map {
            BudgetHold(limitMicrodollars: $0, message: budgetHoldMessage, endsAt: UTCDay.startOfNextDay(after: day))
        }
        return try await queue.recordAttempt(
            record, retention: .seconds(retentionDays * 86_400), budget: hold, alerts: alerts)
    }

    /// The last `count` UTC days up to `today` (nil: today on Redis's clock), oldest first;
    /// days without use are zeros.
    public func days(last count: Int, endingAt today: Date? = nil) async throws(QueueError) -> [CostDay] {
        let end = if let today { today } else { try await queue.now() }
        let keys = UTCDay.keys(last: count, endingAt: end)
        let hashes = try await queue.costDays(keys)
        return zip(keys, hashes).map { day, fields in
            CostDay(date: day, microdollars: fields["microdollars"] ?? 0, gpuMilliseconds: fields["gpu_ms"] ?? 0,
                    requests: fields["requests"] ?? 0, failedRequests: fields["failed_requests"] ?? 0,
                    cacheHits: fields["cache_hits"] ?? 0, cacheAvoidedMicrodollars: fields["cache_avoided_micros"] ?? 0)
        }
    }

    /// Completes `lease`'s job with layers copied from the result cache (`attempt`'s folder) and
    /// counts the hit and the cost it avoided (`cached`'s average call cost) on today's UTC day
    /// (Redis's clock), in the one step that completes the job.
    public func completeFromCache(_ lease: JobLease, layers: [LayerResult], attempt: Int, cached: CachedResult)
        async throws(QueueError)
    {
        let day = UTCDay.key(for: try await queue.now())
        try await queue.completeFromCache(
            lease, layers: layers, attempt: attempt, cached: cached, day: day, costRetention: .seconds(retentionDays * 86_400))
    }

    /// What queued jobs say while the budget is spent.
    public var budgetHoldMessage: String {
        let usd = Double(dailyBudgetMicrodollars ?? 0) / 1_000_000
        return "Daily GPU budget of $\(String(format: "%.2f", usd)) reached; jobs resume at 00:00 UTC"
    }
}
