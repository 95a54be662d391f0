import Foundation
import Hummingbird
import Logging
import NIOCore

/// `decomposer endpoint`: a CPU-only HTTP server speaking Vertex AI's
/// prediction wire format, so a worker pointed at it
/// (`VERTEX_AI_API_ENDPOINT`) cannot tell it from the GPU endpoint except by
/// speed — and by the faults it injects on request.
///
/// Routes: `POST /v1/projects/{project}/locations/{location}/endpoints/{endpoint}:predict`
/// (any project, location and endpoint ID) and `GET /healthz`. Everything
/// else is a Google-style 404.
public struct LocalEndpointServer: Sendable {
    public let settings: LocalEndpointSettings
    public let logger: Logger
    private let plan: FaultPlan

    public init(settings: LocalEndpointSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        plan = FaultPlan(settings.faults)
    }

    /// The HTTP application, ready to run in a `ServiceGroup` (its graceful
    /// shutdown ends injected hangs, then lets in-flight predictions finish).
    /// - Parameter onServerRunning: called once the socket is bound, with the
    ///   channel (its `localAddress` has the port when `port` is 0).
    public func makeApplication(
        host: String, port: Int, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(GoogleErrorMiddleware())
        let route = PredictRoute(
            plan: plan, predictor: Predictor(maxImagePixels: settings.maxImagePixels, deployedModelID: settings.deployedModelID),
            maxRequestBytes: settings.maxRequestBytes, log: settings.requestLog)
        router.post("/v1/projects/{project}/locations/{location}/endpoints/{endpoint}:predict") { request, context in
            try await route.respond(to: request, context: context)
        }
        router.get("/healthz") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "decomposer-endpoint"),
            onServerRunning: onServerRunning,
            logger: logger)
    }
}
