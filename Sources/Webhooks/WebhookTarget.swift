/// A webhook URL that passed the submit-time checks: what the deliverer connects to.
public struct WebhookTarget: Sendable, Equatable {
    public let url: String
    /// `https`, or `http` to loopback in the development case.
    public let scheme: String
    /// Lowercased, without brackets or a trailing dot.
    public let host: String
    public let port: Int
    /// Set when the host is a literal address: it is connected to as it is, nothing is resolved.
    public let literal: WebhookAddress?
}
