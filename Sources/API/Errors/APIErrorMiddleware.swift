import DecomposerCore
import Hummingbird
import Logging
import NIOCore
import Redis

/// Turns every error a route throws into the JSON error contract, so a client
/// never sees a stack trace, an HTML page or an empty 500 — and an unexpected
/// failure is logged once, here, with the request.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            }
            return try JSONResponse.make(
                apiError.status, ErrorBody(code: apiError.code, message: apiError.message), headers: apiError.headers)
        }
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as QueueError:
            return apiError(for: error)
        case let error as RedisError:
            return error.isConnectivity ? .unavailable : internalError
        case let error as HTTPError:
            return apiError(for: error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "request_too_large", "the request body is too large for this endpoint")
        default:
            return internalError
        }
    }

    private static func apiError(for error: QueueError) -> APIError {
        switch error {
        case .queueFull(let depth):
            return APIError(
                .tooManyRequests, "queue_full", "the queue is full (\(depth) jobs waiting); try again later",
                headers: ["Retry-After": "30"])
        case .idempotencyConflict:
            return .conflict("this Idempotency-Key was already used for a different request")
        case .redis(let error):
            return error.isConnectivity ? .unavailable : internalError
        case .leaseLost, .cancelled:
            return internalError
        }
    }

    /// Errors Hummingbird raises itself: unknown routes, oversized bodies, bad requests.
    private static func apiError(for error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return .notFound("no such resource")
        case .contentTooLarge:
            return APIError(.contentTooLarge, "request_too_large", error.body ?? "the request body is too large")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, "method_not_allowed", error.body ?? "method not allowed")
        case let status where (400..<500).contains(status.code):
            return APIError(status, "bad_request", error.body ?? status.reasonPhrase)
        default:
            return internalError
        }
    }

    private static var internalError: APIError {
        APIError(
        .internalServerError, "internal_error", "the server failed to handle this request; it has been logged")
    }
}
