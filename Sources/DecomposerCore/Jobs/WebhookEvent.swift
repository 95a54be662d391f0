/// A job event a webhook can ask for: the job entering that status.
public enum WebhookEvent: String, Sendable, CaseIterable, Equatable {
    case processing
    case completed
    case failed
    case cancelled

    /// Without `webhook_events`: the job's end, whichever it is.
    public static let defaults: [WebhookEvent] = [.completed, .failed, .cancelled]
}
