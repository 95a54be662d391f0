import Hummingbird

/// `/admin/api/*` needs `Authorization: Bearer <ADMIN_API_KEY>` — a key of its own, never
/// `API_KEY`. Added only when `ADMIN_API_KEY` is set; without it the admin routes are not
/// registered at all, so they answer 404 like any unknown path. The `/admin` page itself is
/// open (it asks for the key and sends it with each call), like the upload page.
struct AdminKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let key: BearerKey

    init(adminAPIKey: String) {
        key = BearerKey(adminAPIKey)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/admin/api/") else { return try await next(request, context) }
        guard let presented = BearerKey.presented(in: request), key.accepts(presented) else {
            throw APIError.adminUnauthorized
        }
        return try await next(request, context)
    }
}
