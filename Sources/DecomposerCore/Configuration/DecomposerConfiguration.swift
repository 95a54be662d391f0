import Foundation
import Redis

/// Every setting of the service, read once at start-up. `.env.example`
/// documents each key with its default.
public struct DecomposerConfiguration: Sendable {
    public var redis: RedisConfiguration
    /// `REDIS_KEY_PREFIX`: a hash tag, so every key a script touches lives in
    /// one cluster slot.
    public var keyPrefix: String
    public var host: String
    public var port: Int
    public var uploadsDirectory: URL
    public var resultsDirectory: URL
    /// `STORAGE_BACKEND` and its `GCS_*` keys.
    public var storage: StorageSettings
    public var maxConcurrentJobs: Int
    /// When set, a worker serves /healthz, /readyz and /metrics on this port
    /// (unset by default so several workers can share a host).
    public var workerPort: Int?
    public var queue: QueuePolicy
    public var retryBaseDelay: Duration
    public var retryMaxDelay: Duration
    public var vertex: VertexSettings
    /// `GPU_COST_PER_HOUR`: an explicit rate; when nil, `GPU_TYPE`'s list price applies.
    public var gpuCostPerHour: Double?
    /// `GPU_TYPE`: T4, L4, A100_40GB, A100_80GB or H100_80GB (checked by CostTracker's `GPURate.configured`).
    public var gpuType: String?
    /// `DAILY_BUDGET_USD`: once today's attributed cost reaches it, workers stop claiming until the next UTC day.
    public var dailyBudgetUSD: Double?
    /// Days a day's cost figures stay in Redis.
    public var costRetentionDays: Int
    /// `COST_ALERT_*`: alerts when a day's spend crosses fractions of `DAILY_BUDGET_USD`.
    public var costAlerts: CostAlertSettings
    /// `WEBHOOK_*`: signed webhooks for the jobs that ask for one.
    public var webhooks: WebhookSettings
    /// `CACHE_TTL_DAYS` (default 7): how long a completed result answers identical requests;
    /// nil (0) turns the result cache off.
    public var resultCacheTTL: Duration?
    /// `MODEL_VERSION` (default empty): part of every result's digest; changed when another model is
    /// deployed behind the same endpoint, so the old model's results are not served for the new.
    public var modelVersion: String
    /// On SIGTERM, how long running jobs may finish before being handed back.
    public var shutdownGrace: Duration
    /// Images (uploads and layers) above this many pixels are refused before decoding.
    public var maxImagePixels: Int
    /// Uploads above this many bytes are refused while streaming.
    public var maxUploadBytes: Int
    /// `API_KEY`: when set, the API's `/api/*` and `/ws/*` need it as a bearer
    /// token, and `decomposer submit` sends it. Never logged.
    public var apiKey: String?
    /// `ADMIN_API_KEY`: when set, the API serves the admin page (`/admin`) and the admin API
    /// (`/admin/api/*`, this key as a bearer token); unset, they answer 404. Never logged, and
    /// never the same as `API_KEY` (a client of the API must not be an operator by accident).
    public var adminAPIKey: String?
    /// `CORS_ALLOWED_ORIGINS`: comma list of origins a browser may call the API from.
    public var corsAllowedOrigins: [String]

    /// The Vertex AI endpoint the worker calls.
    public struct VertexSettings: Sendable {
        public var projectID: String?
        public var location: String
        public var endpointID: String?
        public var timeout: Duration
        public var connectTimeout: Duration
        /// `VERTEX_AI_API_ENDPOINT`: replaces `https://{location}-aiplatform.googleapis.com`.
        public var apiEndpoint: URL?
        /// The serving endpoint's request limit: 1.5 MB shared public, 10 MB dedicated.
        public var maxRequestBytes: Int
        public var maxResponseBytes: Int
    }

    /// No retry is scheduled once a job is this old (`JOB_DEADLINE_SECONDS`).
    public var jobDeadline: Duration

    public init(_ values: ConfigurationValues) throws(ConfigurationError) {
        let redisURL = values.string("REDIS_URL", default: "redis://127.0.0.1:6379/0")
        do {
            redis = try RedisConfiguration(url: redisURL)
        } catch {
            throw ConfigurationError(key: "REDIS_URL", expected: "a redis://[user:password@]host[:port][/db] URL (\(error))", actual: redisURL)
        }
        redis.poolSize = try values.integer("REDIS_POOL_SIZE", default: 2, in: 1...64)

        keyPrefix = values.string("REDIS_KEY_PREFIX", default: "{decomposer}")
        guard keyPrefix.contains("{"), keyPrefix.contains("}"), !keyPrefix.contains(" ") else {
            throw ConfigurationError(key: "REDIS_KEY_PREFIX", expected: "a key prefix with a {hash tag} and no spaces", actual: keyPrefix)
        }
        host = values.string("HOST", default: "127.0.0.1")
        port = try values.integer("PORT", default: 8000, in: 1...65535)
        uploadsDirectory = URL(fileURLWithPath: values.string("UPLOADS_DIR", default: "./data/uploads"))
        resultsDirectory = URL(fileURLWithPath: values.string("RESULTS_DIR", default: "./data/results"))
        storage = try StorageSettings(values)
        maxConcurrentJobs = try values.integer("MAX_CONCURRENT_JOBS", default: 4, in: 1...256)
        workerPort = values.string("WORKER_PORT") == nil ? nil : try values.integer("WORKER_PORT", default: 0, in: 1...65535)

        let maxRetries = try values.integer("MAX_RETRIES", default: 3, in: 0...100)
        let leaseSeconds = try values.integer("JOB_LEASE_SECONDS", default: 30, in: 3...3600)
        let retentionDays = try values.integer("JOB_RETENTION_DAYS", default: 7, in: 1...365)
        queue = QueuePolicy(
            leaseDuration: .seconds(leaseSeconds),
            maxAttempts: maxRetries + 1,
            retention: .seconds(retentionDays * 86_400),
            deadLetterLimit: try values.integer("DEAD_LETTER_LIMIT", default: 10_000, in: 1...10_000_000),
            maxQueueDepth: try values.integer("MAX_QUEUE_DEPTH", default: 10_000, in: 1...10_000_000),
            maxRecoveries: try values.integer("MAX_RECOVERIES", default: maxRetries + 1, in: 1...1000))

        retryBaseDelay = try values.seconds("RETRY_BASE_DELAY", default: 1)
        retryMaxDelay = try values.seconds("RETRY_MAX_DELAY", default: 60)
        guard retryMaxDelay >= retryBaseDelay else {
            throw ConfigurationError(
                key: "RETRY_MAX_DELAY", expected: "at least RETRY_BASE_DELAY (\(retryBaseDelay))",
                actual: values.string("RETRY_MAX_DELAY") ?? "60")
        }

        vertex = VertexSettings(
            projectID: values.string("VERTEX_AI_PROJECT_ID"),
            location: values.string("VERTEX_AI_LOCATION", default: "us-central1"),
            endpointID: values.string("VERTEX_AI_ENDPOINT_ID"),
            timeout: try values.seconds("VERTEX_AI_TIMEOUT", default: 300, minimum: 1),
            connectTimeout: try values.seconds("VERTEX_AI_CONNECT_TIMEOUT", default: 10, minimum: 0.1),
            apiEndpoint: try values.httpURL("VERTEX_AI_API_ENDPOINT"),
            maxRequestBytes: try values.integer("VERTEX_AI_MAX_REQUEST_BYTES", default: 1_500_000, in: 10_000...100_000_000),
            maxResponseBytes: try values.integer(
                "VERTEX_AI_MAX_RESPONSE_BYTES", default: 256 << 20, in: 1_000_000...4_000_000_000))
        jobDeadline = try values.seconds("JOB_DEADLINE_SECONDS", default: 1800, minimum: 1)
        gpuCostPerHour = values.string("GPU_COST_PER_HOUR") == nil
            ? nil : try values.number("GPU_COST_PER_HOUR", default: 0, unit: "USD per hour")
        gpuType = values.string("GPU_TYPE")
        dailyBudgetUSD = values.string("DAILY_BUDGET_USD") == nil
            ? nil : try values.number("DAILY_BUDGET_USD", default: 0, minimum: 0.000001, unit: "USD per UTC day")
        costRetentionDays = try values.integer("COST_RETENTION_DAYS", default: 30, in: 1...3650)
        costAlerts = try CostAlertSettings(values, dailyBudgetUSD: dailyBudgetUSD)
        webhooks = try WebhookSettings(values)
        let cacheDays = try values.integer("CACHE_TTL_DAYS", default: 7, in: 0...365)
        resultCacheTTL = cacheDays == 0 ? nil : .seconds(cacheDays * 86_400)
        modelVersion = values.string("MODEL_VERSION", default: "")
        shutdownGrace = try values.seconds("SHUTDOWN_GRACE_SECONDS", default: 30)
        maxImagePixels = try values.integer("MAX_IMAGE_PIXELS", default: 50_000_000, in: 1...1_000_000_000)
        maxUploadBytes = try values.integer("MAX_UPLOAD_BYTES", default: 25 << 20, in: 1...(1 << 34))
        apiKey = values.string("API_KEY").flatMap { $0.isEmpty ? nil : $0 }
        adminAPIKey = values.string("ADMIN_API_KEY").flatMap { $0.isEmpty ? nil : $0 }
        if let adminAPIKey, adminAPIKey == apiKey {
            throw ConfigurationError(key: "ADMIN_API_KEY", expected: "a key of its own, not API_KEY", actual: "the value of API_KEY")
        }
        corsAllowedOrigins = (values.string("CORS_ALLOWED_ORIGINS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Keys of the queue under `keyPrefix`.
    public var keys: QueueKeys { QueueKeys(prefix: keyPrefix) }
}
