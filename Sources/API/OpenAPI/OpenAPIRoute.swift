import Hummingbird

/// `GET /openapi.yaml`: the contract, served by the server it describes.
enum OpenAPIRoute {
    static func register(on router: Router<APIRequestContext>) {
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }
}
