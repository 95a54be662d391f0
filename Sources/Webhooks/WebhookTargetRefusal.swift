/// Why a webhook URL may not be used; the sentence the API's 422 and the deliverer's log carry.
public struct WebhookTargetRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
