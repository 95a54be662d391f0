import Foundation
import Redis
import SystemSupport

/// What a deliverer's claim on the outbox found.
public enum CostAlertClaim: Sendable, Equatable {
    /// Held by this claim for the lease; deliver it, then `finishCostAlert` or `retryCostAlert`.
    case claimed(CostAlert)
    /// Nothing due now; the next alert falls due after this long (nil: the outbox is empty).
    case nothingDue(nextIn: Duration?)
}

/// What became of an alert whose delivery failed.
public enum CostAlertRetry: Sendable, Equatable {
    /// Due again after this long.
    case scheduled(after: Duration)
    /// Older than the give-up age: removed, never to be sent.
    case gaveUp(age: Duration)
    /// No longer this claim's (its lease ended and another deliverer holds it, or it was delivered).
    case lost
}

extension JobQueue {
    /// Takes the next due cost alert for `lease`, under `token`: no other deliverer takes it until
    /// the lease ends (a deliverer that dies leaves it due again then).
    public func claimCostAlert(lease: Duration, token: String) async throws(QueueError) -> CostAlertClaim {
        let reply = try await run(
            QueueScripts.claimCostAlert, keys: [keys.costAlertOutbox, keys.costAlertDue],
            [String(max(lease.milliseconds, 1)), token])
        switch reply.tag {
        case "claimed":
            guard let alert = CostAlert(id: try reply.string(0), json: try reply.string(1)) else { throw reply.unexpected() }
            return .claimed(alert)
        case "none":
            let next = try reply.integer(0)
            return .nothingDue(nextIn: next < 0 ? nil : .milliseconds(next))
        default: throw reply.unexpected()
        }
    }

    /// Removes a delivered (or refused for good) alert from the outbox; false when another
    /// deliverer had removed it already.
    @discardableResult
    public func finishCostAlert(_ id: String) async throws(QueueError) -> Bool {
        let reply = try await run(QueueScripts.finishCostAlert, keys: [keys.costAlertOutbox, keys.costAlertDue], [id])
        guard reply.tag == "finished" || reply.tag == "gone" else { throw reply.unexpected() }
        return reply.tag == "finished"
    }

    /// After a failed delivery: due again after `delay` (Redis's clock), or dropped once the alert
    /// is `giveUpAfter` old; only while `alert`'s claim still holds it.
    public func retryCostAlert(_ alert: CostAlert, after delay: Duration, giveUpAfter: Duration) async throws(QueueError)
        -> CostAlertRetry
    {
        let reply = try await run(
            QueueScripts.retryCostAlert, keys: [keys.costAlertOutbox, keys.costAlertDue],
            [alert.id, alert.claimToken ?? "", String(max(delay.milliseconds, 0)), String(giveUpAfter.milliseconds)])
        switch reply.tag {
        case "scheduled": return .scheduled(after: .milliseconds(try reply.integer(0)))
        case "gave_up": return .gaveUp(age: .milliseconds(try reply.integer(0)))
        case "lost": return .lost
        default: throw reply.unexpected()
        }
    }

    /// Every alert still to be delivered, oldest first (tests, operators).
    public func pendingCostAlerts() async throws(QueueError) -> [CostAlert] {
        do {
            let fields = try await redis.send(["HGETALL", keys.costAlertOutbox]).fieldMap ?? [:]
            return fields.compactMap { CostAlert(id: $0.key, json: $0.value) }
                .sorted { ($0.createdMilliseconds, $0.id) < ($1.createdMilliseconds, $1.id) }
        } catch {
            throw .redis(error)
        }
    }
}
