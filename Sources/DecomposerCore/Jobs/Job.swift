import Foundation
import SystemSupport

/// A decomposition job as stored in its Redis hash (`{prefix}:job:{id}`) and
/// as carried by every job event.
public struct Job: Sendable, Equatable {
    public var id: UUID
    public var fileID: UUID
    public var numLayers: Int
    public var resolution: Int
    public var status: JobStatus
    /// 0–100.
    public var progress: Int
    public var message: String
    /// Bumped by every change; a watcher that has seen version n needs n+1 next.
    public var version: Int
    /// Calls made to the prediction endpoint.
    public var attempts: Int
    public var maxAttempts: Int
    /// Times the job was taken back from a worker that lost its lease.
    public var recoveries: Int
    /// The calls made before an operator last retried the job (`decomposer jobs retry`), 0 when never
    /// retried: its fresh allowance of retries counts from there.
    public var attemptsBeforeRetry: Int
    /// When an operator last retried the job, nil when never: its deadline counts from there.
    public var retriedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when the job failed.
    public var error: JobError?
    /// The error of the last failed attempt, while the job waits for a retry.
    public var lastError: JobError?
    public var layers: [LayerResult]
    /// The attempt whose folder holds the layers (`results/{id}/{attempt}/`); nil for jobs
    /// completed by a release that stored them in `results/{id}/` directly.
    public var layersAttempt: Int?
    public var costMicros: Int64
    /// False when the request opted out of the result cache (`"cache": false`).
    public var cacheAllowed: Bool
    /// True when the job was completed from the result cache (no endpoint call of its own).
    public var cached: Bool
    /// The job and layer this job splits further; nil for a job on an uploaded file.
    public var parent: JobParent?

    /// Decodes the hash fields; nil when a required field is missing or malformed.
    public init?(fields: [String: String]) {
        guard let id = fields["id"].flatMap(UUID.init(spelling:)),
            let fileID = fields["file_id"].flatMap(UUID.init(spelling:)),
            let status = fields["status"].flatMap(JobStatus.init(rawValue:)),
            let numLayers = fields["num_layers"].flatMap(Int.init),
            let resolution = fields["resolution"].flatMap(Int.init),
            let version = fields["version"].flatMap(Int.init),
            let created = fields["created_at"].flatMap(Int64.init)
        else { return nil }
        self.id = id
        self.fileID = fileID
        self.status = status
        self.numLayers = numLayers
        self.resolution = resolution
        self.version = version
        self.progress = fields["progress"].flatMap(Int.init) ?? 0
        self.message = fields["message"] ?? ""
        self.attempts = fields["attempts"].flatMap(Int.init) ?? 0
        self.maxAttempts = fields["max_attempts"].flatMap(Int.init) ?? 1
        self.recoveries = fields["recoveries"].flatMap(Int.init) ?? 0
        self.attemptsBeforeRetry = fields["retried_attempts"].flatMap(Int.init) ?? 0
        self.retriedAt = fields["retried_at"].flatMap(Int64.init).map(Date.init(millisecondsSince1970:))
        self.createdAt = Date(millisecondsSince1970: created)
        self.updatedAt = Date(millisecondsSince1970: fields["updated_at"].flatMap(Int64.init) ?? created)
        self.error = fields["error"].flatMap { Self.decodeJSON(JobError.self, $0) }
        self.lastError = fields["last_error"].flatMap { Self.decodeJSON(JobError.self, $0) }
        self.layers = fields["result"].flatMap { Self.decodeJSON([LayerResult].self, $0) } ?? []
        self.layersAttempt = fields["result_attempt"].flatMap(Int.init)
        self.costMicros = fields["cost_micros"].flatMap(Int64.init) ?? 0
        self.cacheAllowed = fields["cache"] != "0"
        self.cached = fields["cached"] == "1"
        self.parent = JobParent(fields: fields)
    }

    /// Decodes the payload of a job event (the hash fields as a JSON object).
    public init?(eventPayload: String) {
        guard let fields = (try? JSONParser.parse(eventPayload))?.stringFields else { return nil }
        self.init(fields: fields)
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
