import DecomposerCore
import Foundation

/// What the API needs from configuration, apart from its services.
public struct APISettings: Sendable {
    public var uploadsDirectory: URL
    public var resultsDirectory: URL
    /// `MAX_UPLOAD_BYTES`: refused while streaming, never buffered.
    public var maxUploadBytes: Int
    /// `MAX_IMAGE_PIXELS`: refused from the header, before any decoding.
    public var maxImagePixels: Int
    /// `COST_RETENTION_DAYS`: the most `/api/costs?days=` may ask for.
    public var costRetentionDays: Int
    /// `API_KEY`: when set, `/api/*` and `/ws/*` need it as a bearer token.
    public var apiKey: String?
    /// `ADMIN_API_KEY`: when set, `/admin` and `/admin/api/*` exist (the latter need it as a
    /// bearer token); unset, they answer 404 like any unknown path.
    public var adminAPIKey: String?
    /// `CORS_ALLOWED_ORIGINS`: origins a browser may call the API from (`*`: any).
    public var corsAllowedOrigins: [String]
    /// How often WebSocket watchers are pinged (a dead peer is dropped after a missed pong).
    public var webSocketPingInterval: Duration
    /// How long the API stays subscribed to job events after its last watcher left.
    public var watchLinger: Duration
    /// `WEBHOOK_*`: whether jobs may name a webhook, and which receivers.
    public var webhooks: WebhookSettings
    /// Signals a job watcher may have waiting, or messages unsent past NIO's high-water mark,
    /// before it is closed with 1013 to reconnect (`JobWatchHub.defaultBacklogLimit`; tests lower it).
    public var watchBacklogLimit: Int

    public init(
        uploadsDirectory: URL, resultsDirectory: URL, maxUploadBytes: Int = 25 << 20, maxImagePixels: Int = 50_000_000,
        costRetentionDays: Int = 30, apiKey: String? = nil, adminAPIKey: String? = nil, corsAllowedOrigins: [String] = [],
        webSocketPingInterval: Duration = .seconds(30), watchLinger: Duration = .seconds(30),
        webhooks: WebhookSettings = WebhookSettings(),
        watchBacklogLimit: Int = JobWatchHub.defaultBacklogLimit
    ) {
        self.uploadsDirectory = uploadsDirectory
        self.resultsDirectory = resultsDirectory
        self.maxUploadBytes = maxUploadBytes
        self.maxImagePixels = maxImagePixels
        self.costRetentionDays = costRetentionDays
        self.apiKey = apiKey
        self.adminAPIKey = adminAPIKey
        self.corsAllowedOrigins = corsAllowedOrigins
        self.webSocketPingInterval = webSocketPingInterval
        self.watchLinger = watchLinger
        self.webhooks = webhooks
        self.watchBacklogLimit = watchBacklogLimit
    }

    public init(_ configuration: DecomposerConfiguration) {
        self.init(
            uploadsDirectory: configuration.uploadsDirectory, resultsDirectory: configuration.resultsDirectory,
            maxUploadBytes: configuration.maxUploadBytes, maxImagePixels: configuration.maxImagePixels,
            costRetentionDays: configuration.costRetentionDays, apiKey: configuration.apiKey,
            adminAPIKey: configuration.adminAPIKey,
            corsAllowedOrigins: configuration.corsAllowedOrigins, webhooks: configuration.webhooks)
    }
}
