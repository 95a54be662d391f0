import CostTracker
import DecomposerCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OperationalRoutes
import ServiceLifecycle
import Storage

/// The API process: routes, middleware, the WebSocket watch hub, and the
/// order they start and stop in.
public struct APIServer: Sendable {
    public let queue: JobQueue
    public let costs: CostTracker
    public let settings: APISettings
    public let metrics: APIMetrics
    public let hub: JobWatchHub
    public let drain: DrainState
    /// Where uploads and layers are kept (the folders of `settings` unless given).
    public let storage: any StorageBackend
    let extraMetrics: [PrometheusText]
    let logger: Logger

    public init(
        queue: JobQueue, costs: CostTracker, settings: APISettings, storage: (any StorageBackend)? = nil,
        extraMetrics: [PrometheusText] = [], logger: Logger
    ) {
        self.storage = storage ?? FilesystemStorage(
            uploadsDirectory: settings.uploadsDirectory, resultsDirectory: settings.resultsDirectory)
        self.queue = queue
        self.costs = costs
        self.settings = settings
        self.extraMetrics = extraMetrics
        self.logger = logger
        metrics = APIMetrics()
        hub = JobWatchHub(
            queue: queue, metrics: metrics, linger: settings.watchLinger, backlogLimit: settings.watchBacklogLimit, logger: logger)
        drain = DrainState()
    }

    /// Every route of the contract, behind the middleware (outermost first):
    /// metrics, CORS, JSON errors, API key, admin key (the admin routes exist only with `ADMIN_API_KEY`).
    public func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        let routeMethods = RouteMethods()
        router.middlewares.add(RequestMetricsMiddleware(metrics: metrics))
        if !settings.corsAllowedOrigins.isEmpty {
            router.middlewares.add(CORSPolicyMiddleware(allowedOrigins: Set(settings.corsAllowedOrigins)))
        }
        router.middlewares.add(APIErrorMiddleware(routeMethods: routeMethods))
        if let apiKey = settings.apiKey { router.middlewares.add(APIKeyMiddleware(apiKey: apiKey)) }
        if let adminAPIKey = settings.adminAPIKey { router.middlewares.add(AdminKeyMiddleware(adminAPIKey: adminAPIKey)) }
        UploadRoutes(storage: storage, queue: queue, settings: settings).register(on: router)
        JobRoutes(queue: queue, storage: storage, webhooks: settings.webhooks).register(on: router)
        statusWebSocket.register(on: router)
        ResultRoutes(queue: queue, storage: storage).register(on: router)
        ExportRoutes(queue: queue, storage: storage).register(on: router)
        CostRoutes(costs: costs, retentionDays: settings.costRetentionDays).register(on: router)
        WebPage.register(on: router)
        if settings.adminAPIKey != nil {
            AdminRoutes(queue: queue, costs: costs, storage: storage, hub: hub).register(on: router)
        }
        OpenAPIRoute.register(on: router, settings: settings)
        HealthAndMetricsRoutes(
            redis: queue.redis, isStopping: { [drain] in drain.isDraining }, registry: metrics.registry,
            extraMetrics: extraMetrics, refreshMetrics: { [metrics, queue, costs] in await metrics.refresh(queue: queue, costs: costs) }
        ).register(on: router)
        routeMethods.load(router.routes)
        return router
    }

    /// `/ws/status/{id}`: the route that accepts a handshake and the handler of the upgraded connection.
    var statusWebSocket: StatusWebSocket {
        StatusWebSocket(queue: queue, hub: hub, pingInterval: settings.webSocketPingInterval)
    }

    /// A connection that sends nothing for this long (a stalled or slowloris upload, an idle
    /// keep-alive) is closed. It also bounds how long a stalled request can hold up the drain
    /// on shutdown, so deploy/kubernetes's grace period is checked against it.
    public static let connectionIdleTimeout: Duration = .seconds(60)

    /// The HTTP server. `onServerRunning` receives the bound channel (tests bind port 0).
    public func makeApplication(
        host: String, port: Int, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter()
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ExpectContinueHandler(maxBodyBytes: settings.maxUploadBytes + UploadRoutes.framingAllowance)],
            idleTimeout: TimeAmount(Self.connectionIdleTimeout))
        let upgradeRouter = router.buildResponder()
        return Application(
            router: router,
            server: HTTPServerBuilder { [statusWebSocket] responder in
                WatchServerChannel(responder: responder, router: upgradeRouter, http1: http1, watch: statusWebSocket)
            },
            configuration: .init(address: .hostname(host, port: port), serverName: "decomposer-api"),
            onServerRunning: onServerRunning,
            logger: logger)
    }

    /// The services to run, in start order; a ServiceGroup stops them in
    /// reverse: `/readyz` turns 503 first, then `middle` (an in-process
    /// worker drains while its watchers still get updates), then watchers are
    /// closed with 1001, then the HTTP server finishes in-flight requests.
    public func services(
        host: String, port: Int, middle: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> [any Service] {
        [makeApplication(host: host, port: port, onServerRunning: onServerRunning), hub] + middle + [DrainOnShutdown(drain: drain)]
    }
}

/// Flips `/readyz` to 503 as soon as graceful shutdown starts.
struct DrainOnShutdown: Service {
    let drain: DrainState

    func run() async throws {
        try? await gracefulShutdown()
        drain.startDraining()
    }
}
