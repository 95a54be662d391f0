import Foundation

/// The message of a Cloud Storage error reply, `{"error":{"code":403,"message":"…","errors":[{"message":…,
/// "reason":"forbidden"}]}}`; a body that is not that shape (a proxy's HTML page) gives a short excerpt.
enum ErrorBody {
    /// Longest message kept: a log line needs a sentence, not a page.
    static let limit = 300

    static func message(_ body: [UInt8], status: Int) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        {
            let detail = (error["errors"] as? [[String: Any]])?.first
            let text = (error["message"] as? String) ?? (detail?["message"] as? String)
            let reason = detail?["reason"] as? String
            if let text, !text.isEmpty {
                guard let reason, reason != text else { return clipped(text) }
                return clipped("\(text) (\(reason))")
            }
        }
        let excerpt = excerpt(body)
        return excerpt.isEmpty ? "HTTP \(status) with no message" : excerpt
    }

    /// The body as one short line of text.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(limit * 2), as: UTF8.self)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return clipped(text)
    }

    private static func clipped(_ text: String) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
