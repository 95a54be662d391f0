import Foundation
import SystemSupport

/// The job JSON of the contract, the same from `GET /api/jobs/{id}`, `DELETE`, every WebSocket
/// message and every webhook delivery: all keys always present, `error` `null` until the job
/// fails, `layers` `[]` until it completes. Here, not in the API, so the webhook deliverer
/// renders with the one renderer.
public struct JobRepresentation: Encodable, Sendable {
    public let job: Job
    /// Where a queued job stands; its fields (`position`, `eta_seconds`, `waiting_reason`) are sent
    /// only for a queued job whose place is known, so older clients see the same messages as before.
    public var place: QueuePlace?

    public init(job: Job, place: QueuePlace? = nil) {
        self.job = job
        self.place = place
    }

    /// Encoded the same way everywhere: RFC 3339 UTC times, no escaped slashes so URLs read as
    /// URLs (the API's responses use it too). Shared: JSONEncoder is Sendable; configured once.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", fileID = "file_id", status, progress, message, version
        case numLayers = "num_layers", resolution, attempts, recoveries
        case createdAt = "created_at", updatedAt = "updated_at", layers, error, costUSD = "cost_usd", cached, parent
        case position, etaSeconds = "eta_seconds", waitingReason = "waiting_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(job.id.lowercasedString, forKey: .jobID)
        try container.encode(job.fileID.lowercasedString, forKey: .fileID)
        try container.encode(job.status.rawValue, forKey: .status)
        try container.encode(job.progress, forKey: .progress)
        try container.encode(job.message, forKey: .message)
        try container.encode(job.version, forKey: .version)
        try container.encode(job.numLayers, forKey: .numLayers)
        try container.encode(job.resolution, forKey: .resolution)
        try container.encode(job.attempts, forKey: .attempts)
        try container.encode(job.recoveries, forKey: .recoveries)
        try container.encode(job.createdAt, forKey: .createdAt)
        try container.encode(job.updatedAt, forKey: .updatedAt)
        try container.encode(job.status == .completed ? job.layers : [], forKey: .layers)
        if let error = job.error {
            try container.encode(ErrorRepresentation(error: error), forKey: .error)
        } else {
            try container.encodeNil(forKey: .error)
        }
        try container.encode(Double(job.costMicros) / 1_000_000, forKey: .costUSD)
        try container.encode(job.cached, forKey: .cached)
        if let parent = job.parent {
            try container.encode(ParentRepresentation(parent: parent), forKey: .parent)
        } else {
            try container.encodeNil(forKey: .parent)
        }
        if job.status == .queued, let place, place != .notWaiting {
            var position: Int?, eta: Int?
            if case .waiting(let at, let seconds) = place { (position, eta) = (at, seconds) }
            try container.encode(position, forKey: .position)
            try container.encode(eta, forKey: .etaSeconds)
            try container.encode(place.waitingReason, forKey: .waitingReason)
        }
    }

    /// `{"code","message","google_status"}`, `google_status` `null` when the endpoint sent none.
    private struct ErrorRepresentation: Encodable {
        let error: JobError

        enum CodingKeys: String, CodingKey { case code, message, googleStatus = "google_status" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(error.code, forKey: .code)
            try container.encode(error.message, forKey: .message)
            try container.encode(error.googleStatus, forKey: .googleStatus)
        }
    }

    /// `{"job_id","layer"}`: the job and layer this job splits further.
    private struct ParentRepresentation: Encodable {
        let parent: JobParent

        enum CodingKeys: String, CodingKey { case jobID = "job_id", layer }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(parent.jobID.lowercasedString, forKey: .jobID)
            try container.encode(parent.layer, forKey: .layer)
        }
    }

    /// The JSON bytes (a webhook's body, a watcher's message, a job route's answer): what `encoder`
    /// makes of this value, written directly (`JobJSONWriter`).
    public var bytes: [UInt8] { JobJSONWriter(self).bytes }
}
