import Foundation

/// The parts of a `google.rpc.Status` error body the client acts on:
/// `{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED",
///   "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"4s"}]}}`.
///
/// Parsed by hand from `JSONSerialization` because the shape varies in the
/// wild: some front ends wrap it in an array, custom prediction containers
/// send `{"error":"text"}`, and only three fields matter.
struct GoogleErrorBody: Sendable, Equatable {
    var status: String?
    var message: String?
    var retryDelay: Duration?

    /// Longest message kept; the job record needs a sentence, not a dump.
    static let messageLimit = 500

    /// `nil` when the body is not JSON or not an error object; the caller then
    /// falls back to the body as text.
    static func parse(_ body: [UInt8]) -> GoogleErrorBody? {
        guard let first = body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return nil }
        guard var object = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
        if let array = object as? [Any], let head = array.first { object = head }
        guard let top = object as? [String: Any], let error = top["error"] else { return nil }

        if let text = error as? String {
            return GoogleErrorBody(message: clean(text))
        }
        guard let error = error as? [String: Any] else { return nil }
        var result = GoogleErrorBody()
        if let status = error["status"] as? String, !status.isEmpty { result.status = status }
        if let message = error["message"] as? String { result.message = clean(message) }
        if let details = error["details"] as? [Any] {
            let delays = details.compactMap { detail -> Duration? in
                guard let detail = detail as? [String: Any],
                      let type = detail["@type"] as? String, type.hasSuffix("google.rpc.RetryInfo")
                else { return nil }
                return ProtobufDuration.parse(detail["retryDelay"])
            }
            result.retryDelay = delays.max()
        }
        return result
    }

    private static func clean(_ text: String) -> String? {
        let text = ReadableText.collapsed(ReadableText.redacted(text), limit: messageLimit)
        return text.isEmpty ? nil : text
    }
}
