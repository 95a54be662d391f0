import DecomposerCore
import Foundation
import Hummingbird
import NIOPosix
import SystemSupport

/// `GET /results/{job_id}/{filename}`: the layer PNGs a completed job lists,
/// and nothing else. The path on disk is built from the job's own result
/// (never from the request), so no request can read outside `RESULTS_DIR`.
struct ResultRoutes {
    let queue: JobQueue
    let resultsDirectory: URL
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
        let path = resultsDirectory.appendingPathComponent(id.lowercasedString)
            .appendingPathComponent("layer_\(layer.index).png").path
        let identity: FileIdentity
        do {
            identity = try await BlockingIO.run { try FileIdentity(path: path) }
        } catch {
            throw APIError.notFound("the file '\(requested)' of job \(id.lowercasedString) is no longer stored")
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/png"
        headers[.eTag] = identity.entityTag
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        if let tags = request.headers[.ifNoneMatch], Self.matches(tags, identity.entityTag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(identity.size)
        let body = try await fileIO.loadFile(path: path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `If-None-Match`: `*` or a comma list of tags (weak comparison, RFC 9110 §13.1.2).
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let candidate = candidate.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == tag || candidate == "W/\(tag)"
        }
    }
}

/// A file's size and change time, as a strong entity tag: layers are written
/// once by rename and never edited in place, so these change with the bytes.
struct FileIdentity {
    var size: Int
    var entityTag: String

    init(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        entityTag = "\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(UInt64(modified * 1_000_000), radix: 16))\""
    }
}
