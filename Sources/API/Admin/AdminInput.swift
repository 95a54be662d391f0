import DecomposerCore
import Foundation
import Hummingbird
import SystemSupport

/// The admin API's parameters, each refused with a message naming it: a malformed job id is
/// 400 (`invalid_job_id`; an id that parses but is unknown is 404), a bad duration, status or
/// limit 422 (`invalid_field`).
enum AdminInput {
    /// The `job_id` path parameter.
    static func jobID(_ context: APIRequestContext) throws(APIError) -> UUID {
        let text = context.parameters.get("job_id") ?? ""
        guard let id = UUID(spelling: text) else {
            throw APIError(.badRequest, "invalid_job_id", "'\(text.prefix(64))' is not a job id (a UUID)")
        }
        return id
    }

    /// A duration like `30m`, `12h`, `7d` (a bare number is days); nil when absent.
    static func duration(_ text: String?, name: String) throws(APIError) -> Duration? {
        guard let text else { return nil }
        guard let duration = AgeParser.parse(text) else {
            throw .invalidField("\(name) must be a duration like 30m, 12h or 7d, got '\(text.prefix(64))'")
        }
        return duration
    }

    /// `limit`: 1 to `maximum`, `fallback` when absent.
    static func limit(_ text: String?, fallback: Int = 20, maximum: Int = 200) throws(APIError) -> Int {
        guard let text else { return fallback }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw .invalidField("limit must be an integer from 1 to \(maximum), got '\(text.prefix(64))'")
        }
        return limit
    }

    /// The request's JSON object body, or an empty one when the body is empty (every admin body is optional).
    static func body(_ request: Request, context: APIRequestContext) async throws -> JSONObjectBody? {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        return try JSONObjectBody(buffer)
    }
}
