import Foundation
import Hummingbird

/// The JSON body of `/healthz` and `/readyz`: `{"status":"ok"}`,
/// `{"status":"ready"}`, `{"status":"unavailable","reason":"…"}`.
struct ProbeStatus: Encodable, Sendable {
    var status: String
    var reason: String?

    static let alive = ProbeStatus(status: "ok")
    static let ready = ProbeStatus(status: "ready")

    static func unavailable(reason: String) -> ProbeStatus { ProbeStatus(status: "unavailable", reason: reason) }

    func response(_ status: HTTPResponse.Status) -> Response {
        // Two string fields: encoding cannot fail.
        let body = (try? Self.encoder.encode(self)) ?? Data(#"{"status":"unavailable"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
