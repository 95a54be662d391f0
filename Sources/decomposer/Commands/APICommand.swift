import API
import ArgumentParser
import CostAlerts
import CurlHTTP
import DecomposerCore
import Foundation
import Logging
import OperationalRoutes
import ServiceLifecycle
import Storage
import Webhooks
import Worker

/// `decomposer api`: the HTTP + WebSocket API (stops gracefully on SIGTERM/SIGINT).
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "Serve the HTTP + WebSocket API on HOST:PORT (stops gracefully on SIGTERM/SIGINT).")

    @Flag(help: "Also run a worker in this process (small single-machine setups).")
    var withWorker = false

    func run() async throws {
        let environment = try ServiceEnvironment.load(label: "api")
        defer { environment.redis.shutdown() }
        let configuration = environment.configuration
        let logger = environment.logger
        // Start even when Redis is down: /readyz says 503 and requests answer
        // 503 `unavailable` until it is back (the client reconnects by itself).
        do {
            try await environment.queue.loadScripts()
        } catch {
            logger.warning("Redis is not reachable yet (\(error)); serving 503 until it is")
        }
        if let warning = await RedisEvictionCheck.warning(environment.redis) { logger.warning("\(warning)") }
        let http = CurlHTTPClient(maxConnections: max(configuration.maxConcurrentJobs * 2, 8))
        defer { http.shutdown() }
        let storage = try environment.storage(http: http)
        try await storage.prepare()

        var middle: [any Service] = []
        var extraMetrics: [PrometheusText] = []
        if withWorker {
            // The API reports the fleet-wide queue depth itself; the worker's would be a second copy.
            let (worker, client) = try environment.makeWorker(http: http, storage: storage, metrics: WorkerMetrics(reportsQueueDepth: false))
            middle.append(worker)
            extraMetrics.append(PrometheusText { worker.metrics.registry.emitToBuffer() })
            logger.info("In-process worker: endpoint \(client.endpoint.url.absoluteString), concurrency \(configuration.maxConcurrentJobs), auth \(client.auth.mode)")
        }
        if let webhooks = environment.webhookDelivery(http: http) {
            // Workers scale to zero when the queue is empty; the API (always up) keeps retrying meanwhile.
            middle.insert(webhooks, at: 0)
            extraMetrics.append(webhooks.prometheusText)
        }
        if let alerts = environment.costAlertDelivery(http: http) {
            // First, so it stops after an in-process worker: the worker's drain never waits for a POST.
            middle.insert(alerts, at: 0)
            extraMetrics.append(alerts.prometheusText)
        }
        let api = APIServer(
            queue: environment.queue, costs: environment.costTracker, settings: APISettings(configuration),
            storage: storage, extraMetrics: extraMetrics, logger: logger)
        logger.info(
            "API on http://\(configuration.host):\(configuration.port) (Redis \(configuration.redis.redactedDescription), API key \(configuration.apiKey == nil ? "off" : "on"), uploads up to \(configuration.maxUploadBytes) bytes, storage \(storage.summary))")
        let group = ServiceGroup(configuration: .init(
            services: api.services(host: configuration.host, port: configuration.port, middle: middle),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
