import Foundation

/// The `Retry-After` response header (RFC 9110 §10.2.3): either delta-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`).
///
/// The date form is measured against an injected `now`, so tests do not
/// depend on the clock and a worker can pass the time the answer arrived.
/// Here, beside the HTTP client, because both the prediction client and the
/// cost-alert deliverer honour it.
public enum RetryAfter {
    /// The wait the header asks for; `.zero` for a date already past, `nil`
    /// when the value is neither form.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let value = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        if value.allSatisfy({ $0.isASCII && $0.isWholeNumber }) {
            // More digits than an Int64 holds is "wait forever": clamp, the
            // job deadline turns it into a give-up.
            guard let seconds = Int64(value) else { return .seconds(Int64(Int32.max)) }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(String(value)) else { return nil }
        let interval = date.timeIntervalSince(now)
        guard interval > 0 else { return .zero }
        return .milliseconds(Int64((interval * 1000).rounded(.up)))
    }
}
