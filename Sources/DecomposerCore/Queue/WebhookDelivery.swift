import Foundation
import SystemSupport

/// One job event on its way to the job's webhook, as its pending list holds it: appended to the
/// outbox by `emit` when the job's status changed to an event the webhook asked for, routed and
/// claimed by `claim-webhook`. It carries the job as it was at that event (the event's payload,
/// the hash fields as JSON): the job's event stream is capped and may have moved on by many
/// progress ticks before a late delivery, so the snapshot is the one reliable copy.
public struct WebhookDelivery: Sendable, Equatable {
    public var jobID: UUID
    /// The job's version at the event: with the job id, the delivery's stable `webhook-id`.
    public var version: Int
    /// The status the job entered (`completed`, …).
    public var event: String
    public var url: String
    /// The job's hash fields as JSON at that version (decoded with `Job(eventPayload:)`).
    public var payload: String
    /// When it was routed to the job's pending list (ms, Redis's clock): the give-up age counts from here.
    public var firstMilliseconds: Int64
    /// Deliveries begun so far, this one included.
    public var attempts: Int
    /// The claim that holds it now (nil when none does).
    public var claimToken: String?

    /// The pending list's JSON (written by the scripts); nil when it is not a delivery.
    init?(json: String) {
        guard case .object(let fields)? = try? JSONParser.parse(json),
            case .string(let job)? = fields["job"], let jobID = UUID(spelling: job),
            case .string(let event)? = fields["event"], case .string(let url)? = fields["url"],
            case .string(let payload)? = fields["payload"], let version = Self.integer(fields["version"]),
            let first = Self.integer(fields["first_ms"])
        else { return nil }
        self.jobID = jobID
        self.version = Int(version)
        self.event = event
        self.url = url
        self.payload = payload
        self.firstMilliseconds = first
        self.attempts = Int(Self.integer(fields["attempts"]) ?? 0)
        if case .string(let token)? = fields["token"] { claimToken = token } else { claimToken = nil }
    }

    /// Standard Webhooks' `webhook-id`: the same for every try of this event.
    public var messageID: String { "msg_\(jobID.uuidString.lowercased())_\(version)" }

    /// A number or a decimal string (the hash's `version` is kept as text).
    private static func integer(_ value: JSONValue?) -> Int64? {
        switch value {
        case .number(let number)? where number.isFinite && abs(number) < 9e15: return Int64(number)
        case .string(let text)?: return Int64(text)
        default: return nil
        }
    }
}
