import DecomposerCore
import Foundation
import HTTPTypes
import Hummingbird
import Storage
import SystemSupport

/// `POST /api/decompose`, `GET /api/jobs/{id}`, `DELETE /api/jobs/{id}`.
struct JobRoutes {
    let queue: JobQueue
    let storage: any StorageBackend
    var webhooks = WebhookSettings()

    func register(on router: Router<APIRequestContext>) {
        router.post("/api/decompose") { request, context in try await decompose(request, context: context) }
        router.get("/api/jobs/:job_id") { _, context in
            let id = try Self.jobID(context)
            guard let job = try await queue.job(id) else { throw APIError.jobNotFound(id.lowercasedString) }
            let place = job.status == .queued ? try await queue.places(of: [id])[id] : nil
            return JSONResponse.make(.ok, job: JobRepresentation(job: job, place: place))
        }
        router.delete("/api/jobs/:job_id") { _, context in try await cancel(context: context) }
    }

    /// Idempotency keys are opaque, but bounded: they become part of a Redis key.
    static let maxIdempotencyKeyLength = 255

    func decompose(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard request.headers[.contentType].map(HeaderParameters.mediaType(of:)) == "application/json" else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the request as application/json")
        }
        let body = try JSONObjectBody(try await request.body.collect(upTo: context.maxUploadSize))
        let input = try DecomposeInput(body)
        let numLayers = try body.integer(
            "num_layers", default: 5,
            allowed: "an integer from \(JobRequest.layerRange.lowerBound) to \(JobRequest.layerRange.upperBound)",
            where: JobRequest.layerRange.contains)
        let resolution = try body.integer(
            "resolution", default: 1024,
            allowed: JobRequest.resolutions.map(String.init).joined(separator: " or "),
            where: JobRequest.resolutions.contains)
        let useCache = try body.boolean("cache", default: true)
        let webhook = try WebhookInput.parse(body, settings: webhooks)
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key = idempotencyKey {
            guard !key.isEmpty, key.utf8.count <= Self.maxIdempotencyKeyLength else {
                throw APIError.invalidField("Idempotency-Key must be 1 to \(Self.maxIdempotencyKeyLength) characters")
            }
        }
        let fileID: UUID, parent: JobParent?
        switch input {
        case .file(let id):
            (fileID, parent) = (id, nil)
        case .source(let source):
            (fileID, parent) = (try await SplitSource(queue: queue, storage: storage).upload(for: source), source)
        }
        let job = JobRequest(
            fileID: fileID, numLayers: numLayers, resolution: resolution, useCache: useCache, parent: parent, webhook: webhook)
        let outcome: EnqueueOutcome
        do {
            // The upload's note is checked in the enqueue script itself: no storage request per job.
            outcome = try await queue.enqueue(job, idempotencyKey: idempotencyKey, requireNotedUpload: parent == nil)
        } catch {
            // Stored before notes were kept, or noted by an API that could not reach Redis: storage decides.
            guard case .uploadNotNoted = error else { throw error }
            guard try await storage.uploadExists(fileID) else { throw APIError.fileNotFound(fileID.lowercasedString) }
            try? await queue.noteUpload(fileID)
            outcome = try await queue.enqueue(job, idempotencyKey: idempotencyKey)
        }
        switch outcome {
        case .created(let id):
            // Spelt as the API answers them, so a job id from a response finds its log line.
            let what = parent.map { "layer \($0.layer) of job \($0.jobID.lowercasedString)" } ?? "file \(fileID.lowercasedString)"
            context.logger.info("Queued job \(id.lowercasedString) for \(what) (\(numLayers) layers, \(resolution) px)")
            return JSONResponse.make(.accepted, bytes: EnqueuedJob(jobID: id.lowercasedString, status: JobStatus.queued.rawValue).body)
        case .existing(let id):
            let status = try await queue.job(id)?.status ?? .queued
            return JSONResponse.make(.ok, bytes: EnqueuedJob(jobID: id.lowercasedString, status: status.rawValue).body)
        }
    }

    func cancel(context: APIRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        switch try await queue.cancel(id) {
        case .cancelled:
            guard let job = try await queue.job(id) else { throw APIError.jobNotFound(id.lowercasedString) }
            context.logger.info("Cancelled job \(id)")
            return JSONResponse.make(.accepted, job: JobRepresentation(job: job))
        case .alreadyFinished(let status):
            throw APIError.conflict("job \(id.lowercasedString) is already \(status.rawValue) and cannot be cancelled")
        case .notFound:
            throw APIError.jobNotFound(id.lowercasedString)
        }
    }

    /// The `job_id` path parameter; anything but a UUID is a job that does not exist.
    static func jobID(_ context: APIRequestContext) throws(APIError) -> UUID {
        let text = context.parameters.get("job_id") ?? ""
        guard let id = UUID(spelling: text) else { throw APIError.jobNotFound(String(text.prefix(64))) }
        return id
    }
}

/// The body of `202`/`200` from `POST /api/decompose`.
struct EnqueuedJob: Codable {
    var jobID: String
    var status: String

    enum CodingKeys: String, CodingKey { case jobID = "job_id", status }

    /// The JSON `JSONResponse.encoder` writes for it, written directly: it answers every enqueue,
    /// and both values (a UUID, a status name) are plain ASCII that JSON never escapes.
    var body: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(36 + jobID.utf8.count + status.utf8.count)
        buffer.writeString(#"{"job_id":""#)
        buffer.writeString(jobID)
        buffer.writeString(#"","status":""#)
        buffer.writeString(status)
        buffer.writeString(#""}"#)
        return buffer
    }
}
