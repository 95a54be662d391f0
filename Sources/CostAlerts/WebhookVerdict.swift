import CurlHTTP

/// What one POST of an alert means for it: delivered (2xx); worth another try (408, 429, 5xx,
/// no connection, timeout, a dropped connection, TLS); or refused for good (any other status,
/// which a retry would only repeat).
enum WebhookVerdict: Equatable {
    case delivered
    case retry(String)
    case refused(String)

    init(_ result: Result<HTTPResponse, HTTPTransportError>) {
        switch result {
        case .success(let response):
            switch response.status {
            case 200...299: self = .delivered
            case 408, 429, 500...599: self = .retry("HTTP \(response.status)")
            default: self = .refused("HTTP \(response.status)")
            }
        case .failure(let error):
            self = .retry(error.description)
        }
    }
}
