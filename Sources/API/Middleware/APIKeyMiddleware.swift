import Crypto
import Hummingbird

/// When `API_KEY` is set, `/api/*` and `/ws/*` need `Authorization: Bearer
/// <key>` (a WebSocket may send `?token=<key>` instead: browsers cannot set
/// headers on an upgrade). Health, readiness, metrics, the OpenAPI document
/// and the web page stay open.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let expectedDigest: [UInt8]

    init(apiKey: String) {
        expectedDigest = Array(SHA256.hash(data: Array(apiKey.utf8)))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/ws/"), request.method != .options else {
            return try await next(request, context)
        }
        guard let presented = Self.presentedKey(request), accepts(presented) else { throw APIError.unauthorized }
        return try await next(request, context)
    }

    /// Compares digests in constant time, so neither the key's content nor its
    /// length leaks through response timing.
    func accepts(_ key: String) -> Bool {
        let presented = Array(SHA256.hash(data: Array(key.utf8)))
        return zip(presented, expectedDigest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func presentedKey(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
        if request.uri.path.hasPrefix("/ws/") { return request.uri.queryParameters.get("token") }
        return nil
    }
}
