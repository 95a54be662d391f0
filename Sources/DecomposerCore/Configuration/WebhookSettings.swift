import Foundation

/// Webhooks for integrators (`WEBHOOK_*`): the signing secret, how long an event is retried, and
/// which receivers a job may name. Read here; the API checks a job's URL against them at submit,
/// the `Webhooks` module again on the resolved addresses before each delivery.
public struct WebhookSettings: Sendable, Equatable {
    /// `WEBHOOK_SECRET`: signs every delivery (Standard Webhooks); nil = webhooks switched off (a
    /// job naming one is refused). `whsec_<base64>` is decoded; any other text is used as its
    /// UTF-8 bytes. Never logged.
    public var secret: String?
    /// `WEBHOOK_RETRY_HOURS` (default 24): an event not delivered this long after it happened is dropped.
    public var giveUpAfter: Duration
    /// `WEBHOOK_ALLOW_HTTP` (default false): also plain `http://`, and only to loopback (tests, local dev).
    public var allowHTTP: Bool
    /// `WEBHOOK_ALLOWED_HOSTS`: when not empty, the only host names (or literal addresses) a webhook may name.
    public var allowedHosts: [String]
    /// `WEBHOOK_TIMEOUT_SECONDS` (default 15): bound on one POST; a deliverer holds an event 5 s
    /// longer, after which another worker may send it again (a killed worker's event).
    public var timeout: Duration

    public init(
        secret: String? = nil, giveUpAfter: Duration = .seconds(86_400), allowHTTP: Bool = false, allowedHosts: [String] = [],
        timeout: Duration = .seconds(15)
    ) {
        self.secret = secret
        self.giveUpAfter = giveUpAfter
        self.allowHTTP = allowHTTP
        self.allowedHosts = allowedHosts
        self.timeout = timeout
    }

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        secret = values.string("WEBHOOK_SECRET").flatMap { $0.isEmpty ? nil : $0 }
        if let secret, secret.hasPrefix("whsec_"), Data(base64Encoded: String(secret.dropFirst(6)))?.isEmpty ?? true {
            throw ConfigurationError(
                key: "WEBHOOK_SECRET", expected: "whsec_ followed by base64, or a plain secret without that prefix",
                actual: "(not shown)")
        }
        let hours = try values.number("WEBHOOK_RETRY_HOURS", default: 24, minimum: 0.001, unit: "hours")
        giveUpAfter = .milliseconds(Int64((hours * 3_600_000).rounded()))
        let allow = values.string("WEBHOOK_ALLOW_HTTP", default: "false").lowercased()
        guard ["true", "false", "1", "0"].contains(allow) else {
            throw ConfigurationError(key: "WEBHOOK_ALLOW_HTTP", expected: "true or false", actual: allow)
        }
        allowHTTP = allow == "true" || allow == "1"
        allowedHosts = (values.string("WEBHOOK_ALLOWED_HOSTS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        timeout = .seconds(try values.integer("WEBHOOK_TIMEOUT_SECONDS", default: 15, in: 1...300))
    }

    /// Whether jobs may ask for a webhook at all.
    public var enabled: Bool { secret != nil }
}
