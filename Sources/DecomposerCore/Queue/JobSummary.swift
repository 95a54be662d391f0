import Foundation
import SystemSupport

/// One line of a job listing (`JobQueue.listJobs`): what an operator scans for, read with one
/// HMGET of a few fields, never the job's layers or history.
public struct JobSummary: Sendable, Equatable {
    public var id: UUID
    public var status: JobStatus
    /// 0–100.
    public var progress: Int
    /// Calls made to the prediction endpoint so far (they keep counting across operator retries).
    public var attempts: Int
    public var createdAt: Date
    /// The last change; for a finished job, when it finished.
    public var updatedAt: Date
    /// The failure's code (`gpu_rate_limited`, `abandoned`, …); for a job waiting out a retry, its
    /// last attempt's; nil when none.
    public var errorCode: String?
    public var errorMessage: String?
    /// The progress line the job shows.
    public var message: String
    /// In the dead-letter set (every failed job until it is retried, purged or trimmed).
    public var inDeadLetters: Bool

    public init(
        id: UUID, status: JobStatus, progress: Int, attempts: Int, createdAt: Date, updatedAt: Date,
        errorCode: String? = nil, errorMessage: String? = nil, message: String = "", inDeadLetters: Bool = false
    ) {
        self.id = id
        self.status = status
        self.progress = progress
        self.attempts = attempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.message = message
        self.inDeadLetters = inDeadLetters
    }

    /// The hash fields a summary reads, in the order `init?(id:values:inDeadLetters:)` takes them.
    static let fields = ["status", "progress", "attempts", "created_at", "updated_at", "error", "last_error", "message"]

    /// From an HMGET of `fields`; nil when the job's hash is gone (expired) or malformed.
    init?(id: UUID, values: [String?], inDeadLetters: Bool) {
        guard values.count == Self.fields.count, let status = values[0].flatMap(JobStatus.init(rawValue:)),
            let created = values[3].flatMap(Int64.init)
        else { return nil }
        let error = (values[5] ?? values[6]).flatMap { try? JSONDecoder().decode(JobError.self, from: Data($0.utf8)) }
        self.init(
            id: id, status: status, progress: values[1].flatMap(Int.init) ?? 0, attempts: values[2].flatMap(Int.init) ?? 0,
            createdAt: Date(millisecondsSince1970: created),
            updatedAt: Date(millisecondsSince1970: values[4].flatMap(Int64.init) ?? created),
            errorCode: error?.code, errorMessage: error?.message, message: values[7] ?? "", inDeadLetters: inDeadLetters)
    }
}
