import Foundation
import Hummingbird

/// An error answer in Google's `google.rpc.Status` shape, the one Vertex AI
/// sends and `VertexClient` reads:
/// `{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}`.
struct GoogleError: Error, Sendable, Equatable {
    var httpStatus: Int
    /// The `google.rpc.Code` name, e.g. `INVALID_ARGUMENT`.
    var status: String
    var message: String
    /// Sent as `Retry-After` and as a `google.rpc.RetryInfo` detail.
    var retryAfterSeconds: Int?

    /// 400: the request names something the endpoint cannot work with.
    static func invalidArgument(_ message: String) -> GoogleError {
        GoogleError(httpStatus: 400, status: "INVALID_ARGUMENT", message: message)
    }

    static func rateLimited(retryAfterSeconds: Int) -> GoogleError {
        GoogleError(
            httpStatus: 429, status: "RESOURCE_EXHAUSTED",
            message: "Quota exceeded for the local endpoint (injected fault); retry in \(retryAfterSeconds) s.",
            retryAfterSeconds: retryAfterSeconds)
    }

    static func unavailable(_ message: String) -> GoogleError {
        GoogleError(httpStatus: 503, status: "UNAVAILABLE", message: message)
    }

    /// An error answer for an HTTP status the framework chose (unknown route,
    /// wrong method), with the matching Google code name.
    static func forStatus(_ code: Int, message: String) -> GoogleError {
        let status: String = switch code {
        case 400, 413: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404, 405: "NOT_FOUND"
        case 429: "RESOURCE_EXHAUSTED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        case 500...599: "INTERNAL"
        default: "UNKNOWN"
        }
        return GoogleError(httpStatus: code, status: status, message: message)
    }

    var response: Response {
        var error: [String: Any] = ["code": httpStatus, "message": message, "status": status]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=UTF-8"
        if let retryAfterSeconds {
            error["details"] = [[
                "@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "\(retryAfterSeconds)s",
            ]]
            headers[.retryAfter] = "\(retryAfterSeconds)"
        }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: httpStatus), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
