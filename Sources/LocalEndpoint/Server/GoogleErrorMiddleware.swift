import Hummingbird

/// Every failure leaves the server as a Google error body — never
/// Hummingbird's empty 404 or a bare 500 — so the client reads a status and
/// a message whatever went wrong; unexpected errors are logged once here.
struct GoogleErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GoogleError {
            return error.response
        } catch let error as HTTPError {
            let code = Int(error.status.code)
            let message = code == 404 || code == 405
                ? "no such method: \(request.method) \(request.uri.path); predictions are POST /v1/projects/{project}/locations/{location}/endpoints/{endpoint}:predict"
                : error.body ?? error.status.reasonPhrase
            return GoogleError.forStatus(code, message: message).response
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            return GoogleError.forStatus(500, message: "internal error in the local endpoint").response
        }
    }
}
