import DecomposerCore
import Foundation
import Hummingbird
import NIOPosix
import Storage
import SystemSupport

/// `GET /results/{job_id}/{filename}`: the layer PNGs a completed job lists,
/// and nothing else. Where the bytes are is the storage's business, found from
/// the job's own result (never from the request), so no request can read
/// anything else. With signed URLs the answer is a 302 to the bucket.
struct ResultRoutes {
    let queue: JobQueue
    let storage: any StorageBackend
    let fileIO = FileIO(threadPool: .singleton)

    func register(on router: Router<APIRequestContext>) {
        router.get("/results/:job_id/:filename") { request, context in try await result(request, context: context) }
    }

    func result(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try JobRoutes.jobID(context)
        let requested = context.parameters.get("filename") ?? ""
        guard let job = try await queue.job(id), job.status == .completed,
            let layer = job.layers.first(where: { $0.filename == requested })
        else {
            throw APIError.notFound("job \(id.lowercasedString) has no result file '\(requested.prefix(64))'")
        }
        let served: ServedLayer
        do {
            served = try await storage.layerForServing(LayerSet(completed: job), index: layer.index)
        } catch StorageError.notFound {
            throw APIError.notFound("the file '\(requested)' of job \(id.lowercasedString) is no longer stored")
        }
        let stored: StoredLayer
        switch served {
        case .redirect(let url):
            // The signed URL expires; a cached redirect must not outlive it.
            return Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
        case .stored(let layer):
            stored = layer
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/png"
        headers[.eTag] = stored.entityTag
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        if let tags = request.headers[.ifNoneMatch], Self.matches(tags, stored.entityTag) {
            return Response(status: .notModified, headers: headers)
        }
        let file: LocalLayerFile
        do {
            file = try await storage.localFile(for: stored)
        } catch StorageError.notFound {
            throw APIError.notFound("the file '\(requested)' of job \(id.lowercasedString) is no longer stored")
        }
        headers[.contentLength] = String(stored.size)
        var body = try await fileIO.loadFile(path: file.path, context: context)
        if file.isTemporary { body = Self.removing(file.path, after: body, size: stored.size) }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `body`, then the temporary copy it streams from removed (also when the client went away).
    static func removing(_ path: String, after body: ResponseBody, size: Int) -> ResponseBody {
        ResponseBody(contentLength: size) { writer in
            defer { unlink(path) }
            try await body.write(writer)
        }
    }

    /// `If-None-Match`: `*` or a comma list of tags (weak comparison, RFC 9110 §13.1.2).
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let candidate = candidate.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == tag || candidate == "W/\(tag)"
        }
    }
}
