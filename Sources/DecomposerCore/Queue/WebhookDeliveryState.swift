import Foundation
import SystemSupport

/// How a job's webhook deliveries stand (`{p}:webhooks:state:<id>` and its pending list), for
/// `decomposer jobs show` and the admin page.
public struct WebhookDeliveryState: Sendable, Equatable {
    /// Events routed to the job's pending list so far.
    public var events: Int
    public var delivered: Int
    /// Tries that failed and were retried or given up.
    public var failedAttempts: Int
    /// Events dropped after `WEBHOOK_RETRY_HOURS` without a delivery.
    public var givenUp: Int
    /// Events still to deliver (the first may be in flight).
    public var pending: Int
    /// The receiver answered 410 Gone: nothing more is sent for this job.
    public var stopped: Bool
    public var lastEvent: String?
    /// What the last try got (`HTTP 204`, `could not connect: …`).
    public var lastResult: String?
    public var lastAt: Date?

    init(fields: [String: String], pending: Int) {
        func number(_ name: String) -> Int { fields[name].flatMap(Int.init) ?? 0 }
        events = number("events")
        delivered = number("delivered")
        failedAttempts = number("failed_attempts")
        givenUp = number("given_up")
        self.pending = pending
        stopped = fields["stopped"] == "1"
        lastEvent = fields["last_event"]
        lastResult = fields["last_result"]
        lastAt = fields["last_at"].flatMap(Int64.init).map(Date.init(millisecondsSince1970:))
    }

    /// One line for people: `2 of 3 events delivered, 1 pending; last: completed → HTTP 204`.
    public var summary: String {
        var line = "\(delivered) of \(events) events delivered"
        if pending > 0 { line += ", \(pending) pending" }
        if failedAttempts > 0 { line += ", \(failedAttempts) failed tries" }
        if givenUp > 0 { line += ", \(givenUp) given up" }
        if stopped { line += ", stopped by the receiver (410)" }
        if let lastEvent, let lastResult { line += "; last: \(lastEvent) → \(lastResult)" }
        return line
    }
}
