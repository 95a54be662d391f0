import DecomposerCore
import Webhooks

/// The webhook a `POST /api/decompose` asks for (`"webhook"`, `"webhook_events"`), checked against
/// the allowed targets before the job exists: a refused URL is a 422 naming why.
enum WebhookInput {
    /// Nil when the request names no webhook.
    /// - Throws: `webhooks_disabled` (422) without `WEBHOOK_SECRET`; `invalid_webhook` (422) for a
    ///   URL the rules refuse; `invalid_field` (422) for a wrong type or an unknown event.
    static func parse(_ body: JSONObjectBody, settings: WebhookSettings) throws(APIError) -> JobWebhook? {
        let events = try Self.events(body.value("webhook_events"))
        guard let value = body.value("webhook") else {
            if events != nil { throw .invalidField("webhook_events needs a webhook (the URL to deliver them to)") }
            return nil
        }
        guard case .string(let url) = value else { throw .invalidField("webhook must be a URL string (https://…)") }
        guard settings.enabled else {
            throw APIError(
                .unprocessableContent, "webhooks_disabled",
                "this service does not deliver webhooks (its operator has not set WEBHOOK_SECRET); send the job without one")
        }
        do {
            _ = try WebhookTargetPolicy(settings).check(url)
        } catch {
            throw APIError(.unprocessableContent, "invalid_webhook", "webhook refused: \(error.reason)")
        }
        return JobWebhook(url: url, events: events ?? WebhookEvent.defaults)
    }

    static var eventNames: String { WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func events(_ value: JSONValue?) throws(APIError) -> [WebhookEvent]? {
        guard let value else { return nil }
        guard case .array(let items) = value, !items.isEmpty else {
            throw .invalidField("webhook_events must be a non-empty array of events: \(eventNames)")
        }
        var events: [WebhookEvent] = []
        for item in items {
            guard case .string(let name) = item, let event = WebhookEvent(rawValue: name) else {
                throw .invalidField("webhook_events may hold only \(eventNames)")
            }
            events.append(event)
        }
        return events
    }
}
