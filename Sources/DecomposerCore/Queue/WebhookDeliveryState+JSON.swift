import Foundation

extension WebhookDeliveryState {
    /// The `webhook` object of `jobs show --format json` and of the admin API's job.
    public var jsonObject: [String: Any] {
        [
            "events": events, "delivered": delivered, "pending": pending, "failed_attempts": failedAttempts,
            "given_up": givenUp, "stopped": stopped, "last_event": lastEvent ?? NSNull(), "last_result": lastResult ?? NSNull(),
            "last_at": lastAt.map { ISO8601DateFormatter().string(from: $0) } ?? NSNull(),
        ]
    }
}
