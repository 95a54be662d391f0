import Hummingbird

/// An error a client can act on: an HTTP status, a stable snake_case `code`
/// for programs and a sentence for people. Rendered by `APIErrorMiddleware` as
/// `{"error":{"code":…,"message":…}}`.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra response headers (`Retry-After` on 429 and 503).
    public var headers: [String: String]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }
}

extension APIError {
    static func invalidJSON(_ message: String) -> APIError { APIError(.badRequest, "invalid_json", message) }

    static func invalidField(_ message: String) -> APIError { APIError(.unprocessableContent, "invalid_field", message) }

    static func jobNotFound(_ id: String) -> APIError { APIError(.notFound, "job_not_found", "no job with id '\(id)'") }

    static func fileNotFound(_ id: String) -> APIError {
        APIError(.notFound, "file_not_found", "no uploaded file with id '\(id)'; upload it again with POST /api/upload")
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    static func conflict(_ message: String) -> APIError { APIError(.conflict, "conflict", message) }

    static let unavailable = APIError(
        .serviceUnavailable, "unavailable", "the job store (Redis) is unreachable; try again shortly",
        headers: ["Retry-After": "5"])

    static let unauthorized = APIError(
        .unauthorized, "unauthorized", "a valid API key is required: send 'Authorization: Bearer <key>'",
        headers: ["WWW-Authenticate": "Bearer"])
}
