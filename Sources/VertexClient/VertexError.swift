import enum CurlHTTP.RetryAfter
import Foundation
import HTTPTypes

/// Why a prediction call failed, classified for the retry policy and worded
/// for the job record.
///
/// A struct rather than an enum so that the transport (libcurl) and the worker
/// can carry the same fields whatever the cause: `code` is the stable
/// snake_case key stored with a failed job, `message` is what a person reads
/// and never contains credentials (server-supplied text is redacted), and
/// `retryAfter` is the server's own hint, which the backoff honours.
public struct VertexError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: VertexErrorClass
    /// Why, as a stable key (its raw value is stored with a failed job); see the constructors.
    public var code: VertexErrorCode
    /// The HTTP status, when the endpoint answered.
    public var httpStatus: Int?
    /// `google.rpc.Status.status`, e.g. `RESOURCE_EXHAUSTED`, when the body had one.
    public var googleStatus: String?
    /// One line for a person: what failed and the server's explanation.
    public var message: String
    /// How long the server asked us to wait: the longer of `Retry-After` and
    /// `google.rpc.RetryInfo.retryDelay`.
    public var retryAfter: Duration?

    public init(
        kind: VertexErrorClass, code: VertexErrorCode, httpStatus: Int? = nil, googleStatus: String? = nil,
        message: String, retryAfter: Duration? = nil
    ) {
        self.kind = kind
        self.code = code
        self.httpStatus = httpStatus
        self.googleStatus = googleStatus
        self.message = message
        self.retryAfter = retryAfter
    }

    public var isRetryable: Bool { kind == .retryable }

    /// False when the request surely never reached the endpoint (no connection,
    /// no credentials, TLS refused, too large to send), so no GPU time can have
    /// been spent on it and the attempt is not billed.
    public var reachedEndpoint: Bool {
        httpStatus != nil || !code.isBeforeSending
    }

    public var description: String {
        var text = "\(code.rawValue) (\(kind.rawValue)): \(message)"
        if let retryAfter { text += "; server asks to wait \(Self.seconds(retryAfter)) s" }
        return text
    }

    // MARK: - From an HTTP answer

    /// Classifies a non-2xx answer of the endpoint.
    ///
    /// Retryable: 429, 500, 502, 503, 504. Final: every other 4xx (400, 401,
    /// 403, 404, 413, …) and any other status, since repeating an unexpected
    /// answer is more likely to burn GPU time than to succeed.
    /// - Parameters:
    ///   - headers: response headers, looked up case-insensitively.
    ///   - body: the response body; a `google.rpc.Status` JSON object or any
    ///     text (an HTML page from a proxy is reduced to readable text).
    ///   - now: the clock `Retry-After: <HTTP-date>` is measured against.
    public static func fromHTTP(status: Int, headers: [String: String], body: [UInt8], now: Date) -> VertexError {
        let (kind, code) = classify(status: status)
        let parsed = GoogleErrorBody.parse(body)
        let detail = parsed?.message ?? ReadableText.summary(of: body)
        let googleStatus = parsed?.status

        let headerHint = header("Retry-After", in: headers).flatMap { RetryAfter.parse($0, now: now) }
        let hints = [headerHint, parsed?.retryDelay].compactMap { $0 }
        let retryAfter = hints.max()

        let label = statusLabel(status: status, googleStatus: googleStatus)
        var message = "\(code.summary) (\(label))"
        if !detail.isEmpty { message += ": \(detail)" }
        return VertexError(
            kind: kind, code: code, httpStatus: status, googleStatus: googleStatus,
            message: message, retryAfter: retryAfter)
    }

    /// The class and code of an HTTP status, without a body.
    public static func classify(status: Int) -> (kind: VertexErrorClass, code: VertexErrorCode) {
        switch status {
        case 429: return (.retryable, .gpuRateLimited)
        case 500, 502: return (.retryable, .gpuServerError)
        case 503: return (.retryable, .gpuUnavailable)
        case 504: return (.retryable, .gpuTimeout)
        case 400: return (.final, .badRequest)
        case 401, 403: return (.final, .unauthorized)
        case 404: return (.final, .endpointNotFound)
        case 413: return (.final, .requestTooLarge)
        case 405...499: return (.final, .badRequest)
        case 500...599: return (.final, .gpuServerError)
        default: return (.final, .unexpectedStatus)
        }
    }

    // MARK: - Transport failures

    /// The connection could not be made or broke before an answer (refused,
    /// reset, DNS, TLS). Retryable: the endpoint may be scaling or restarting.
    public static func connectionFailed(_ detail: String) -> VertexError {
        transport(code: .connectionFailed, detail: detail)
    }

    /// No complete answer within the client timeout. Retryable: a cold GPU
    /// replica can be slow once. Treated like 504 for the job record.
    public static func timedOut(after limit: Duration? = nil) -> VertexError {
        transport(code: .gpuTimeout, detail: limit.map { "no answer within \(seconds($0)) s" } ?? "")
    }

    /// The connection closed or reset mid-answer, size unknown (what libcurl
    /// reports). Retryable.
    public static func connectionDropped(_ detail: String) -> VertexError {
        transport(code: .truncatedResponse, detail: detail)
    }

    // MARK: - Bad answers and requests

    /// A 2xx answer that is not the documented prediction shape. Final: the
    /// model server would answer the same way again.
    public static func malformedResponse(_ detail: String) -> VertexError {
        VertexError(kind: .final, code: .malformedResponse, message: "\(VertexErrorCode.malformedResponse.summary): \(detail)")
    }

    /// The prediction has the right shape but its layers are unusable (bad
    /// base64, empty). Final.
    public static func invalidLayers(_ detail: String) -> VertexError {
        VertexError(kind: .final, code: .invalidLayers, message: "\(VertexErrorCode.invalidLayers.summary): \(detail)")
    }

    /// The request body is over the endpoint's limit; refused before sending.
    /// Final: the same image would be refused again.
    public static func requestTooLarge(bytes: Int, limit: Int) -> VertexError {
        VertexError(
            kind: .final, code: .requestTooLarge,
            message: "\(VertexErrorCode.requestTooLarge.summary): body is \(bytes) bytes, the limit is \(limit) bytes")
    }

    // MARK: - Wording

    /// `503 UNAVAILABLE` when the body named a Google status, otherwise
    /// `HTTP 502 Bad Gateway`.
    static func statusLabel(status: Int, googleStatus: String?) -> String {
        if let googleStatus { return "\(status) \(googleStatus)" }
        let reason = namedErrorStatuses.first { $0.code == status }?.reasonPhrase ?? ""
        return reason.isEmpty ? "HTTP \(status)" : "HTTP \(status) \(reason)"
    }

    /// The error statuses swift-http-types names, for their RFC 9110 reason phrases: HTTP/2 sends
    /// only the number, and `HTTPResponse.Status(code:)` carries no phrase of its own.
    private static let namedErrorStatuses: [HTTPResponse.Status] = [
        .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .notAcceptable, .requestTimeout,
        .conflict, .gone, .lengthRequired, .contentTooLarge, .unsupportedMediaType, .unprocessableContent,
        .tooManyRequests, .internalServerError, .init(code: 501, reasonPhrase: "Not Implemented"), .badGateway, .serviceUnavailable, .gatewayTimeout,
    ]

    /// What the retry message starts with: the summary, plus the status for
    /// HTTP answers (a rate limit speaks for itself).
    var headline: String {
        guard let httpStatus, code != .gpuRateLimited else { return code.summary }
        return "\(code.summary) (\(Self.statusLabel(status: httpStatus, googleStatus: googleStatus)))"
    }

    /// Whole seconds, rounded up, so "retrying in 1 s" never means "now".
    static func seconds(_ duration: Duration) -> Int64 {
        let (whole, atto) = duration.components
        return atto > 0 ? whole + 1 : whole
    }

    private static func transport(code: VertexErrorCode, detail: String) -> VertexError {
        let detail = ReadableText.redacted(detail)
        let summary = code.summary
        return VertexError(kind: .retryable, code: code, message: detail.isEmpty ? summary : "\(summary): \(detail)")
    }

    private static func header(_ name: String, in headers: [String: String]) -> String? {
        if let exact = headers[name] { return exact }
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }
}
