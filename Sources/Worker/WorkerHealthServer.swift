import Hummingbird
import Logging
import OperationalRoutes

/// `WORKER_PORT`: `/healthz` (alive), `/readyz` (Redis reachable and still
/// taking jobs — 503 with the reason otherwise, so an orchestrator stops
/// routing during shutdown) and `/metrics` (Prometheus text), the same
/// routes the API serves. `extraMetrics`: the process's other registries (cost-alert deliveries).
public enum WorkerHealthServer {
    public static func make(
        worker: WorkerService, host: String, port: Int, extraMetrics: [PrometheusText] = [], logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        HealthAndMetricsRoutes(
            redis: worker.queue.redis, isStopping: { !worker.isAcceptingJobs }, registry: worker.metrics.registry,
            extraMetrics: extraMetrics, refreshMetrics: { await worker.refreshQueueGauges() }
        ).register(on: router)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "decomposer-worker"),
            logger: logger)
    }
}
