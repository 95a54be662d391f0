import Foundation
import Redis
import SystemSupport

/// What a deliverer's claim on the webhook queue found.
public enum WebhookClaim: Sendable, Equatable {
    /// Held by this claim for the lease; deliver it, then `finishWebhook` or `retryWebhook`.
    case claimed(WebhookDelivery)
    /// Nothing due now; the next job falls due after this long (nil: none waits).
    case nothingDue(nextIn: Duration?)
}

/// What became of a claimed delivery once it was finished or failed.
public enum WebhookSettlement: Sendable, Equatable {
    case delivered
    /// The receiver answered 410: this many pending events of the job (the claimed one included) dropped.
    case stopped(dropped: Int)
    /// Due again after this long.
    case scheduled(after: Duration)
    /// Pending longer than the give-up age: dropped, never to be sent.
    case gaveUp(age: Duration)
    /// No longer this claim's (its lease ended and another deliverer holds it).
    case lost
}

extension JobQueue {
    /// Routes what the outbox holds (at most `route` entries) to the jobs' pending lists, then takes
    /// the oldest pending event of the next due job for `lease`, under `token`.
    public func claimWebhook(lease: Duration, token: String, route: Int = 100) async throws(QueueError) -> WebhookClaim {
        let reply = try await run(
            QueueScripts.claimWebhook, keys: [keys.webhookDue], [String(max(lease.milliseconds, 1)), token, String(route)])
        switch reply.tag {
        case "claimed":
            guard let delivery = WebhookDelivery(json: try reply.string(1)) else { throw reply.unexpected() }
            return .claimed(delivery)
        case "none":
            let next = try reply.integer(0)
            return .nothingDue(nextIn: next < 0 ? nil : .milliseconds(next))
        default: throw reply.unexpected()
        }
    }

    /// Ends a claimed delivery the receiver answered: 2xx (`gone` false) or 410 (`gone` true).
    public func finishWebhook(_ delivery: WebhookDelivery, gone: Bool, result: String) async throws(QueueError)
        -> WebhookSettlement
    {
        let reply = try await run(
            QueueScripts.finishWebhook, keys: deliveryKeys(delivery.jobID),
            [delivery.jobID.lowercasedString, delivery.claimToken ?? "", gone ? "gone" : "delivered", result])
        switch reply.tag {
        case "delivered": return .delivered
        case "stopped": return .stopped(dropped: Int(try reply.integer(0)))
        case "lost": return .lost
        default: throw reply.unexpected()
        }
    }

    /// After a failed try: due again after `delay` (Redis's clock), or dropped once the event has
    /// been pending `giveUpAfter`; only while the delivery's claim still holds it.
    public func retryWebhook(_ delivery: WebhookDelivery, after delay: Duration, giveUpAfter: Duration, reason: String)
        async throws(QueueError) -> WebhookSettlement
    {
        let reply = try await run(
            QueueScripts.retryWebhook, keys: deliveryKeys(delivery.jobID),
            [delivery.jobID.lowercasedString, delivery.claimToken ?? "", String(max(delay.milliseconds, 0)),
             String(giveUpAfter.milliseconds), reason])
        switch reply.tag {
        case "scheduled": return .scheduled(after: .milliseconds(try reply.integer(0)))
        case "gave_up": return .gaveUp(age: .milliseconds(try reply.integer(0)))
        case "lost": return .lost
        default: throw reply.unexpected()
        }
    }

    /// How the job's webhook deliveries stand; nil when it has none (no webhook, or none of its
    /// events has happened yet, or it expired with the job).
    public func webhookState(of id: UUID) async throws(QueueError) -> WebhookDeliveryState? {
        do {
            let replies = try await redis.pipeline([["HGETALL", keys.webhookState(id)], ["LLEN", keys.webhookPending(id)]])
            let fields = replies[0].fieldMap ?? [:]
            let pending = Int(replies[1].int ?? 0)
            if fields.isEmpty && pending == 0 { return nil }
            return WebhookDeliveryState(fields: fields, pending: pending)
        } catch {
            throw .redis(error)
        }
    }

    private func deliveryKeys(_ id: UUID) -> [String] { [keys.webhookDue, keys.webhookPending(id), keys.webhookState(id)] }
}
