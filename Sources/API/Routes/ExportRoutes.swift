import DecomposerCore
import Exports
import Foundation
import Hummingbird
import NIOPosix
import Storage

/// `GET /api/jobs/{job_id}/export?format=psd|pptx|zip`: a completed job's layers as one file to
/// download. Built on the first request (`ExportBuilds`), stored beside the layers through the
/// storage seam, then served like a layer: strong `ETag`, immutable `Cache-Control`, `304`, or a
/// redirect to a signed URL. The stored file is never served by `/results/…`, which serves only
/// the layers a job lists.
struct ExportRoutes {
    let queue: JobQueue
    let storage: any StorageBackend
    let builds: ExportBuilds
    let fileIO = FileIO(threadPool: .singleton)

    init(queue: JobQueue, storage: any StorageBackend) {
        self.queue = queue
        self.storage = storage
        builds = ExportBuilds(storage: storage)
    }

    static let allowedFormats = ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/jobs/:job_id/export") { request, context in try await export(request, context: context) }
    }

    func export(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try JobRoutes.jobID(context)
        let format = try Self.format(request)
        guard let job = try await queue.job(id) else { throw APIError.jobNotFound(id.lowercasedString) }
        guard job.status == .completed else {
            throw APIError.conflict(
                "job \(id.lowercasedString) is \(job.status.rawValue); only a completed job can be exported")
        }
        let writer = ExportWriters.writer(for: format)
        let set = LayerSet(completed: job)
        let served: ServedLayer
        do {
            if let stored = try await storage.storedExport(set, fileExtension: format.fileExtension) {
                served = stored
            } else {
                try await builds.build(set, layerCount: job.layers.count, format: format, writer: writer)
                guard let stored = try await storage.storedExport(set, fileExtension: format.fileExtension) else {
                    throw StorageError.notFound("the export of job \(id.lowercasedString) was not stored")
                }
                served = stored
            }
        } catch StorageError.notFound {
            throw APIError.notFound("the layers of job \(id.lowercasedString) are no longer stored")
        }
        return try await respond(request, context: context, served: served, jobID: id, format: format)
    }

    private func respond(
        _ request: Request, context: APIRequestContext, served: ServedLayer, jobID: UUID, format: ExportFormat
    ) async throws -> Response {
        let stored: StoredLayer
        switch served {
        case .redirect(let url):
            return Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
        case .stored(let export):
            stored = export
        }
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.eTag] = stored.entityTag
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        headers[.contentDisposition] = "attachment; filename=\"\(jobID.lowercasedString).\(format.fileExtension)\""
        if let tags = request.headers[.ifNoneMatch], ResultRoutes.matches(tags, stored.entityTag) {
            return Response(status: .notModified, headers: headers)
        }
        let file: LocalLayerFile
        do {
            file = try await storage.localFile(for: stored)
        } catch StorageError.notFound {
            throw APIError.notFound("the export of job \(jobID.lowercasedString) is no longer stored")
        }
        headers[.contentLength] = String(stored.size)
        var body = try await fileIO.loadFile(path: file.path, context: context)
        if file.isTemporary { body = ResultRoutes.removing(file.path, after: body, size: stored.size) }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The `format` query parameter. - Throws: 400 naming the allowed values when it is missing or unknown.
    static func format(_ request: Request) throws(APIError) -> ExportFormat {
        let text = request.uri.queryParameters.get("format")
        guard let text, let format = ExportFormat(rawValue: text) else {
            let got = text.map { "'\($0.prefix(32))'" } ?? "nothing"
            throw APIError(.badRequest, "invalid_format", "format must be one of \(allowedFormats) (got \(got))")
        }
        return format
    }
}
