import Foundation
import Redis
import SystemSupport

/// One call to the prediction endpoint, priced (CostTracker prices it; the queue writes it).
public struct AttemptRecord: Sendable, Equatable {
    /// The job the call was for; nil for a call outside any job.
    public var jobID: UUID?
    /// Which of the job's calls this was; the same attempt is billed once however often it is
    /// recorded, so a record whose reply was lost (Redis restarting) can be sent again.
    public var attempt: Int?
    public var microdollars: Int64
    public var gpuMilliseconds: Int64
    public var succeeded: Bool
    /// The UTC day (`YYYY-MM-DD`) the call is counted in.
    public var day: String

    public init(jobID: UUID?, attempt: Int?, microdollars: Int64, gpuMilliseconds: Int64, succeeded: Bool, day: String) {
        self.jobID = jobID
        self.attempt = attempt
        self.microdollars = microdollars
        self.gpuMilliseconds = gpuMilliseconds
        self.succeeded = succeeded
        self.day = day
    }
}

/// The daily budget a cost record is checked against: the record that brings the day's spend
/// to `limitMicrodollars` holds the queue until `endsAt` with `message`.
public struct BudgetHold: Sendable, Equatable {
    public var limitMicrodollars: Int64
    public var message: String
    public var endsAt: Date

    public init(limitMicrodollars: Int64, message: String, endsAt: Date) {
        self.limitMicrodollars = limitMicrodollars
        self.message = message
        self.endsAt = endsAt
    }
}

/// What recording a call did.
public struct AttemptBilling: Sendable, Equatable {
    /// False when this attempt had been billed already.
    public var billed: Bool
    /// What this record added to the day and the job: 0 for an attempt billed already.
    public var microdollars: Int64
    /// When this record placed the budget hold: how many queued jobs now say why.
    public var holdPlacedOnJobs: Int?
    /// Cost alerts this record was the first to cross, now in the outbox (see `CostAlertThresholds`).
    public var alertsQueued: Int
}

extension JobQueue {
    /// Bills one endpoint call into its day (kept for `retention`) and its job, once per attempt;
    /// with a `budget`, the record that brings the day's spend to it holds the queue in the same
    /// atomic step, so no worker claims another job after the budget is spent; with `alerts` too,
    /// the record that first crosses one of their thresholds appends that alert to the outbox in
    /// the same step, so each threshold fires once a day for the whole fleet.
    public func recordAttempt(
        _ record: AttemptRecord, retention: Duration, budget: BudgetHold?, alerts: CostAlertThresholds? = nil
    ) async throws(QueueError) -> AttemptBilling {
        var ownKeys = [
            keys.costDay(record.day), keys.costDayJobs(record.day), keys.costDayAlerts(record.day), keys.costAlertOutbox,
            keys.costAlertDue,
        ]
        if let jobID = record.jobID { ownKeys.append(keys.job(jobID)) }
        let budgetArguments: [String] = if let budget {
            [String(budget.limitMicrodollars), budget.message, String(budget.endsAt.millisecondsSince1970)]
        } else {
            ["", "", ""]
        }
        let outboxRetention = alerts?.outboxRetention.milliseconds ?? 1
        var arguments: [String] = [
            String(record.microdollars), String(max(record.gpuMilliseconds, 0)), record.succeeded ? "0" : "1",
            String(max(retention.milliseconds / 1000, 1)), record.attempt.map(String.init) ?? "",
        ]
        arguments += budgetArguments
        arguments += [record.jobID?.lowercasedString ?? "", record.day, String(max(outboxRetention, 1))]
        if budget != nil, let alerts {
            for threshold in alerts.thresholds { arguments += [threshold.label, String(threshold.microdollars)] }
        }
        let reply = try await run(QueueScripts.recordAttempt, keys: ownKeys, arguments)
        guard reply.tag == "recorded" || reply.tag == "repeat" else { throw reply.unexpected() }
        let annotated = try reply.integer(0)
        let billed = reply.tag == "recorded"
        return AttemptBilling(
            billed: billed, microdollars: billed ? record.microdollars : 0,
            holdPlacedOnJobs: annotated >= 0 ? Int(annotated) : nil, alertsQueued: Int(try reply.integer(1)))
    }

    /// The cost hashes of `days` (`YYYY-MM-DD`), in order: field → integer value.
    public func costDays(_ days: [String]) async throws(QueueError) -> [[String: Int64]] {
        do {
            let replies = try await redis.pipeline(days.map { ["HGETALL", keys.costDay($0)] })
            return replies.map { ($0.fieldMap ?? [:]).compactMapValues { Int64($0) } }
        } catch {
            throw .redis(error)
        }
    }
}
