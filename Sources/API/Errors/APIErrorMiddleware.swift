import DecomposerCore
import Hummingbird
import Storage
import Logging
import NIOCore
import Redis

/// Routes throw `APIError`, which Hummingbird renders itself. This middleware
/// turns every *other* error into one, so a client never sees a stack trace,
/// an HTML page or an empty 500: the queue's and Redis's errors, Hummingbird's
/// own `HTTPError`s (an unknown route, a known path asked with a method it
/// does not answer — 405 with `Allow` —, an oversized body), and anything
/// unexpected, which is logged here once with the request and answered as a
/// 500 that tells nothing of the internals.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods each route answers (for 405).
    let routeMethods: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch {
            let apiError = apiError(for: error, request: request, routedTo: context.endpointPath)
            if apiError.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            }
            throw apiError
        }
    }

    /// - Parameter routedTo: the route pattern the router chose, if any.
    func apiError(for error: any Error, request: Request, routedTo: String?) -> APIError {
        switch error {
        case let error as QueueError:
            return Self.apiError(for: error)
        case let error as RedisError:
            return error.isConnectivity ? .unavailable : Self.internalError
        case StorageError.unavailable:
            return .storageUnavailable
        case let error as HTTPError where error.status == .notFound:
            // 405 only for the router's own "no route", not for a 404 a route's handler raised.
            let allowed = routeMethods.isRoute(routedTo) ? [] : routeMethods.allowed(forPath: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { return .notFound("no such resource") }
            return .methodNotAllowed(request.method, allowed: allowed)
        case let error as HTTPError:
            return Self.apiError(for: error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "request_too_large", "the request body is too large for this endpoint")
        default:
            return Self.internalError
        }
    }

    private static func apiError(for error: QueueError) -> APIError {
        switch error {
        case .queueFull(let depth):
            return APIError(
                .tooManyRequests, "queue_full", "the queue is full (\(depth) jobs waiting); try again later",
                headers: [.retryAfter: "30"])
        case .idempotencyConflict:
            return .conflict("this Idempotency-Key was already used for a different request")
        case .redis(let error):
            return error.isConnectivity ? .unavailable : internalError
        case .uploadNotNoted(let id):
            return .fileNotFound(id.lowercasedString)
        case .leaseLost, .cancelled:
            return internalError
        }
    }

    /// Errors Hummingbird raises itself: oversized bodies, bad requests.
    private static func apiError(for error: HTTPError) -> APIError {
        switch error.status {
        case .contentTooLarge:
            return APIError(.contentTooLarge, "request_too_large", error.body ?? "the request body is too large")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, "method_not_allowed", error.body ?? "method not allowed", headers: error.headers)
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
