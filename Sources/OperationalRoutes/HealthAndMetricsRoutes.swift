import Hummingbird
import Prometheus
import Redis

/// `/healthz`, `/readyz` and `/metrics`, written once for every process that
/// serves them: the API on `PORT` and a worker on `WORKER_PORT`. An
/// orchestrator and Prometheus see the same contract from both.
public struct HealthAndMetricsRoutes: Sendable {
    let readiness: ReadinessCheck
    let registry: PrometheusCollectorRegistry
    let extraMetrics: [PrometheusText]
    let refreshMetrics: @Sendable () async -> Void

    /// - Parameters:
    ///   - redis: pinged by `/readyz`.
    ///   - isStopping: true once the process drains or stops; `/readyz` then answers 503 at once.
    ///   - registry: emitted by `/metrics`, after `refreshMetrics` has read what is read at scrape time.
    ///   - extraMetrics: other registries of the same process, appended (the in-process worker's).
    public init(
        redis: RedisClient, isStopping: @escaping @Sendable () -> Bool, registry: PrometheusCollectorRegistry,
        extraMetrics: [PrometheusText] = [], refreshMetrics: @escaping @Sendable () async -> Void = {}
    ) {
        readiness = ReadinessCheck(redis: redis, isStopping: isStopping)
        self.registry = registry
        self.extraMetrics = extraMetrics
        self.refreshMetrics = refreshMetrics
    }

    /// Alive: the process answers (a liveness probe).
    public static let livenessPath = "/healthz"
    /// Ready: not stopping and Redis answers (a readiness probe; 503 with the reason otherwise).
    public static let readinessPath = "/readyz"
    /// Prometheus text (KEDA's trigger in deploy/kubernetes reads the API's).
    public static let metricsPath = "/metrics"

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get(RouterPath(Self.livenessPath)) { _, _ in ProbeStatus.alive.response(.ok) }
        router.get(RouterPath(Self.readinessPath)) { _, _ in await readiness.response() }
        router.get(RouterPath(Self.metricsPath)) { _, _ in await metricsResponse() }
    }

    func metricsResponse() async -> Response {
        await refreshMetrics()
        var text = registry.emitToBuffer()
        for extra in extraMetrics { text += await extra.emit() }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
