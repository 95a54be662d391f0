/// A job's webhook as the request asked for it: the receiver's URL (already checked against the
/// allowed targets by the API) and the job events it wants.
public struct JobWebhook: Sendable, Equatable {
    public var url: String
    /// Without duplicates, in `WebhookEvent`'s order (so the fingerprint does not depend on how
    /// the caller ordered them).
    public var events: [WebhookEvent]

    public init(url: String, events: [WebhookEvent] = WebhookEvent.defaults) {
        self.url = url
        self.events = WebhookEvent.allCases.filter(events.contains)
    }

    /// `completed,failed,cancelled`: as the job hash keeps them (`webhook_events`).
    public var eventList: String { events.map(\.rawValue).joined(separator: ",") }
}
