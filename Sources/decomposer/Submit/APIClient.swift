import CurlHTTP
import Foundation
import SystemSupport

/// The API as `decomposer submit` uses it: upload, enqueue, read a job,
/// download a layer. Every refusal becomes `APIClientError` carrying the
/// server's own message.
struct APIClient {
    let baseURL: String
    let apiKey: String?
    let http: CurlHTTPClient

    /// Uploads `file` as the multipart `file` field; returns the file id.
    func upload(_ file: URL) async throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try await BlockingIO.run { Array(try Data(contentsOf: file)) }
        } catch {
            throw APIClientError("cannot read \(file.path): \(error.localizedDescription)")
        }
        let boundary = "decomposer-\(UUID().uuidString)"
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.lastPathComponent)\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
        let body = Array(head.utf8) + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        let json = try await send("POST", "/api/upload", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        guard let id = json["file_id"] as? String else { throw APIClientError("the API answered the upload without a file_id") }
        return id
    }

    /// Queues a job; returns its id.
    func decompose(fileID: String, layers: Int, resolution: Int, useCache: Bool = true, webhook: String? = nil)
        async throws -> String
    {
        var fields: [String: Any] = ["file_id": fileID, "num_layers": layers, "resolution": resolution, "cache": useCache]
        if let webhook { fields["webhook"] = webhook }
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        let json = try await send("POST", "/api/decompose", body: Array(body), contentType: "application/json")
        guard let id = json["job_id"] as? String else { throw APIClientError("the API answered without a job_id") }
        return id
    }

    func job(_ id: String) async throws -> [String: Any] { try await send("GET", "/api/jobs/\(id)") }

    /// The bytes at a path the API gave (a layer's `url`).
    func download(_ path: String) async throws -> [UInt8] {
        let response = try await transfer(HTTPRequest(method: "GET", url: baseURL + path, headers: authorization, maxResponseBytes: 512 << 20))
        guard response.status == 200 else { throw APIClientError(Self.message(response)) }
        return response.body
    }

    /// `ws://…/ws/status/{id}` for the same server (the key as `?token=`).
    func statusWebSocketURL(_ id: String) -> String {
        let ws = baseURL.replacingOccurrences(of: "https://", with: "wss://").replacingOccurrences(of: "http://", with: "ws://")
        return "\(ws)/ws/status/\(id)" + (apiKey.map { "?token=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? "")
    }

    private var authorization: [(name: String, value: String)] {
        apiKey.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
    }

    private func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil) async throws
        -> [String: Any]
    {
        var headers = authorization
        if let contentType { headers.append((name: "Content-Type", value: contentType)) }
        let response = try await transfer(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
        guard (200..<300).contains(response.status) else { throw APIClientError(Self.message(response)) }
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw APIClientError("the API answered \(response.status) with a body that is not JSON")
        }
        return json
    }

    private func transfer(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch {
            throw APIClientError("cannot reach the API at \(baseURL): \(error)")
        }
    }

    /// The API's `{"error":{"message"}}`, or the status when there is none.
    static func message(_ response: HTTPResponse) -> String {
        let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        if let error = json?["error"] as? [String: Any], let message = error["message"] as? String {
            return "\(message) (HTTP \(response.status)\((error["code"] as? String).map { ", \($0)" } ?? ""))"
        }
        return "the API answered HTTP \(response.status)"
    }
}

/// A refusal or failure, worded for the person at the terminal.
struct APIClientError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
