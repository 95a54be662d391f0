import CurlHTTP
import Foundation

extension CloudStorageClient {
    /// Copies the object `source` to `destination` inside the bucket, server-side: the bytes never
    /// leave Cloud Storage (a result served from the cache costs one request per layer, whatever
    /// its size). Uses `rewriteTo`, which Google recommends over `copyTo` because a large copy
    /// goes on across calls (`rewriteToken`) instead of timing out. Writing the same destination
    /// from the same source again is harmless, so it is retried like any idempotent call.
    /// - Returns: the new object. - Throws: `.notFound` when `source` does not exist.
    @discardableResult
    public func copy(_ source: String, to destination: String) async throws(CloudStorageError) -> StoredObject {
        var token: String?
        while true {
            var url = "\(objectURL(source))/rewriteTo/b/\(URLParts.encode(configuration.bucket))/o/"
                + URLParts.encode(configuration.prefix + destination)
            if let token { url += "?" + URLParts.query([("rewriteToken", token)]) }
            let response = try await perform("copy of \(source) to \(destination)", idempotent: true) { headers in
                HTTPRequest(
                    method: "POST", url: url, headers: headers + [("Content-Type", "application/json")],
                    body: Array("{}".utf8), timeout: configuration.timeout,
                    connectTimeout: configuration.connectTimeout, maxResponseBytes: Self.maxReplyBytes)
            }
            let reply: RewriteReply
            do {
                reply = try JSONDecoder().decode(RewriteReply.self, from: Data(response.body))
            } catch {
                throw .malformedReply("the copy of \(source) answered \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
            if reply.done, let resource = reply.resource {
                return try resource.object(removingPrefix: configuration.prefix)
            }
            guard let next = reply.rewriteToken, !next.isEmpty else {
                throw .malformedReply("the copy of \(source) is not done and gave no rewriteToken")
            }
            token = next
        }
    }

    /// `storage#rewriteResponse`: the new object once `done`, else a token to call again with.
    private struct RewriteReply: Decodable {
        let done: Bool
        let rewriteToken: String?
        let resource: StoredObject.Resource?
    }
}
