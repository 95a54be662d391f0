import Hummingbird

/// The answer for one of the API's own pages (upload, admin): the whole document, never cached
/// stale (`no-cache`: revalidated, so a new release's page shows at once).
enum HTMLPage {
    static func response(_ html: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
