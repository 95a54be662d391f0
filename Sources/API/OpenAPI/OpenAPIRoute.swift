import Hummingbird

/// `GET /openapi.yaml`: the contract, served by the server it describes.
enum OpenAPIRoute {
    static func register(on router: Router<APIRequestContext>, settings: APISettings) {
        let document = ByteBuffer(string: OpenAPIDocument.yaml(costRetentionDays: settings.costRetentionDays))
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
    }
}
