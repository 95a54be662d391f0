import CurlHTTP
import Foundation

/// What one POST of an alert means for it: delivered (2xx); worth another try (408, 429, 5xx,
/// no connection, timeout, a dropped connection, TLS); or refused for good (any other status,
/// which a retry would only repeat).
enum WebhookVerdict: Equatable {
    case delivered
    /// `retryAfter`: the wait a 429 or 503 asked for in its `Retry-After` header (delta-seconds or
    /// an HTTP date, measured against `now`); nil when it sent none or an unreadable one.
    case retry(String, retryAfter: Duration?)
    case refused(String)

    init(_ result: Result<HTTPResponse, HTTPTransportError>, now: Date) {
        switch result {
        case .success(let response):
            switch response.status {
            case 200...299: self = .delivered
            case 429, 503:
                // Header names are lowercased by the client.
                let hint = response.headers["retry-after"].flatMap { RetryAfter.parse($0, now: now) }
                self = .retry("HTTP \(response.status)", retryAfter: hint)
            case 408, 500...599: self = .retry("HTTP \(response.status)", retryAfter: nil)
            default: self = .refused("HTTP \(response.status)")
            }
        case .failure(let error):
            self = .retry(error.description, retryAfter: nil)
        }
    }
}
