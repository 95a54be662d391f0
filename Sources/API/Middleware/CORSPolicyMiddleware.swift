import Hummingbird

/// CORS for the origins in `CORS_ALLOWED_ORIGINS` only (`*` allows any):
/// answers preflights and marks responses readable by those origins. A
/// request from any other origin gets no CORS headers, so browsers block it.
struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    static var allowedHeaders: String { "Authorization, Content-Type, Idempotency-Key" }
    static var allowedMethods: String { "GET, POST, DELETE, OPTIONS" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) || allowedOrigins.contains("*") else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: .noContent)
            decorate(&response, origin: origin)
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = "600"
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Rendered here rather than by the router, so an error is readable by the origin too.
            response = try error.response(from: request, context: context)
        }
        decorate(&response, origin: origin)
        return response
    }

    private func decorate(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "ETag, Retry-After"
        response.headers[.vary] = "Origin"
    }
}
