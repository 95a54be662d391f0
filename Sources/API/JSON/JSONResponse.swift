import DecomposerCore
import Foundation
import HTTPTypes
import Hummingbird

/// Responses with a JSON body, encoded the same way everywhere (RFC 3339 UTC
/// times, no escaped slashes so URLs read as URLs).
enum JSONResponse {
    static func make(
        _ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]
    ) throws -> Response {
        let data = try encoder.encode(value)
        return make(status, bytes: ByteBuffer(bytes: data), headers: headers)
    }

    /// A job on its own: the same JSON every watcher message and webhook carries (`JobJSONWriter`).
    static func make(_ status: HTTPResponse.Status, job: JobRepresentation) -> Response {
        make(status, bytes: ByteBuffer(bytes: job.bytes))
    }

    static func make(_ status: HTTPResponse.Status, bytes: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: bytes))
    }

    /// The job JSON's encoder (`JobRepresentation`), so every body is encoded alike.
    static var encoder: JSONEncoder { JobRepresentation.encoder }
}

/// `{"error":{"code","message"}}`.
struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }

    var error: Detail

    init(code: String, message: String) { error = Detail(code: code, message: message) }
}
