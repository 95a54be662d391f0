import ArgumentParser
import CostAlerts
import CostTracker
import CurlHTTP
import DecomposerCore
import Foundation
import GoogleAuth
import Logging
import Redis
import ServiceLifecycle
import Storage
import VertexClient
import Webhooks
import Worker

/// `decomposer worker`: processes queued jobs until SIGTERM/SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Process decomposition jobs from the queue (stops gracefully on SIGTERM/SIGINT).")

    func run() async throws {
        let environment = try ServiceEnvironment.load(label: "worker")
        defer { environment.redis.shutdown() }
        let configuration = environment.configuration
        let logger = environment.logger
        try await environment.requireRedis()
        if let warning = await RedisEvictionCheck.warning(environment.redis) { logger.warning("\(warning)") }

        // Two lanes: a request goes out on one while the other receives replies that came in
        // together (megabytes each), instead of waiting behind them (bench/README.md, worker).
        let http = CurlHTTPClient(maxConnections: max(configuration.maxConcurrentJobs * 2, 8), lanes: 2)
        defer { http.shutdown() }
        let storage = try environment.storage(http: http)
        let (worker, client) = try environment.makeWorker(http: http, storage: storage)
        logger.info(
            "Worker ready: endpoint \(client.endpoint.url.absoluteString), concurrency \(configuration.maxConcurrentJobs), auth \(client.auth.mode), Redis \(configuration.redis.redactedDescription), storage \(storage.summary)")
        var services: [any Service] = [worker]
        let alerts = environment.costAlertDelivery(http: http)
        // Before the worker, so it stops after it: the worker's drain never waits for a POST in flight.
        if let alerts { services.insert(alerts, at: 0) }
        let webhooks = environment.webhookDelivery(http: http)
        if let webhooks { services.insert(webhooks, at: 0) }
        let extraMetrics = (alerts.map { [$0.prometheusText] } ?? []) + (webhooks.map { [$0.prometheusText] } ?? [])
        if let port = configuration.workerPort {
            // First in the list, so it is shut down last: /readyz says 503 while the worker drains.
            services.insert(
                WorkerHealthServer.make(
                    worker: worker, host: configuration.host, port: port, extraMetrics: extraMetrics,
                    logger: logger),
                at: 0)
            logger.info("Health and metrics on http://\(configuration.host):\(port) (/healthz, /readyz, /metrics)")
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension ServiceEnvironment {
    /// Cost attribution at the configured GPU rate, with the daily budget (`DAILY_BUDGET_USD`) and,
    /// where alerts are delivered (`COST_ALERT_WEBHOOK_URL`), its alert thresholds.
    var costTracker: CostTracker {
        CostTracker(
            queue: queue, rate: gpuRate, retentionDays: configuration.costRetentionDays,
            dailyBudgetUSD: configuration.dailyBudgetUSD,
            alertThresholds: configuration.costAlerts.webhookURL == nil ? [] : configuration.costAlerts.thresholds)
    }

    /// A worker over this environment's queue, and the prediction client it calls.
    func makeWorker(
        http: CurlHTTPClient, storage: any StorageBackend, metrics: WorkerMetrics = WorkerMetrics()
    ) throws -> (WorkerService, VertexPredictionClient) {
        let client = try predictionClient(http: http)
        let worker = WorkerService(
            queue: queue, client: client,
            costs: costTracker,
            storage: storage,
            backoff: BackoffPolicy(base: configuration.retryBaseDelay, cap: configuration.retryMaxDelay,
                                   maxRetries: configuration.queue.maxAttempts - 1, jobDeadline: configuration.jobDeadline),
            maxImagePixels: configuration.maxImagePixels, concurrency: configuration.maxConcurrentJobs,
            shutdownGrace: configuration.shutdownGrace,
            resultCache: configuration.resultCacheTTL.map { ResultCachePolicy(timeToLive: $0, modelVersion: configuration.modelVersion) },
            metrics: metrics, logger: logger)
        return (worker, client)
    }

    /// The configured storage (`STORAGE_BACKEND`); unusable credentials stop start-up with exit code 2.
    func storage(http: CurlHTTPClient) throws -> any StorageBackend {
        do {
            return try StorageBackends.make(configuration, environment: values.values, http: http)
        } catch {
            FileHandle.standardError.write(Data("decomposer: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The prediction client from configuration; a missing setting or unusable
    /// credentials stop start-up with exit code 2 naming what to fix.
    func predictionClient(http: CurlHTTPClient) throws -> VertexPredictionClient {
        let vertex = configuration.vertex
        do {
            let endpoint = try PredictionEndpoint(
                projectID: vertex.projectID, location: vertex.location, endpointID: vertex.endpointID,
                baseURL: vertex.apiEndpoint)
            let auth = try CredentialDiscovery.provider(
                environment: values.values, endpointHost: endpoint.url.host ?? "", http: http)
            return VertexPredictionClient(
                endpoint: endpoint, auth: auth, http: http, timeout: vertex.timeout, connectTimeout: vertex.connectTimeout,
                maxRequestBytes: vertex.maxRequestBytes, maxResponseBytes: vertex.maxResponseBytes)
        } catch {
            FileHandle.standardError.write(Data("decomposer: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
