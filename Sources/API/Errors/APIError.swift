import Hummingbird

/// An error a client can act on: an HTTP status, a stable snake_case `code`
/// for programs and a sentence for people. Routes throw it and Hummingbird
/// renders it (`HTTPResponseError`) as `{"error":{"code":…,"message":…}}`;
/// `APIErrorMiddleware` turns every other error into one.
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra response headers (`Retry-After` on 429 and 503, `Allow` on 405).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(status, ErrorBody(code: code, message: message), headers: headers)
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

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            .methodNotAllowed, "method_not_allowed", "\(method.rawValue.prefix(32)) is not allowed here; use \(list)",
            headers: [.allow: list])
    }

    static let unavailable = APIError(
        .serviceUnavailable, "unavailable", "the job store (Redis) is unreachable; try again shortly",
        headers: [.retryAfter: "5"])

    static let storageUnavailable = APIError(
        .serviceUnavailable, "unavailable", "the file storage is unreachable; try again shortly",
        headers: [.retryAfter: "5"])

    static let unauthorized = APIError(
        .unauthorized, "unauthorized", "a valid API key is required: send 'Authorization: Bearer <key>'",
        headers: [.wwwAuthenticate: "Bearer"])

    static let adminUnauthorized = APIError(
        .unauthorized, "unauthorized", "a valid admin key is required: send 'Authorization: Bearer <ADMIN_API_KEY>'",
        headers: [.wwwAuthenticate: "Bearer"])
}
