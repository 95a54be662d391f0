import Hummingbird

/// When `API_KEY` is set, `/api/*` and `/ws/*` need `Authorization: Bearer
/// <key>` (a WebSocket may send `?token=<key>` instead: browsers cannot set
/// headers on an upgrade). Health, readiness, metrics, the OpenAPI document,
/// the web pages and the admin API (`ADMIN_API_KEY`, `AdminKeyMiddleware`) stay open.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let key: BearerKey

    init(apiKey: String) {
        key = BearerKey(apiKey)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/ws/"), request.method != .options else {
            return try await next(request, context)
        }
        guard let presented = Self.presentedKey(request), key.accepts(presented) else { throw APIError.unauthorized }
        return try await next(request, context)
    }

    static func presentedKey(_ request: Request) -> String? {
        if request.headers[.authorization] != nil { return BearerKey.presented(in: request) }
        if request.uri.path.hasPrefix("/ws/") { return request.uri.queryParameters.get("token") }
        return nil
    }
}
