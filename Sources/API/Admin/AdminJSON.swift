import DecomposerCore
import Foundation
import Hummingbird
import SystemSupport

/// The admin API's answers: plain JSON objects in the shapes `decomposer jobs …` and
/// `decomposer queue …` print with `--format json`, keys sorted.
enum AdminJSON {
    static func response(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        JSONResponse.make(status, bytes: ByteBuffer(bytes: try data(object)))
    }

    static func data(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// A value encoded as the API encodes it (a job as `GET /api/jobs/{id}` sends it), as a JSON object.
    static func object(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONResponse.encoder.encode(value))
    }

    static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// One line of a listing (`decomposer jobs list`'s fields, with the API's `job_id`).
    static func summary(_ job: JobSummary) -> [String: Any] {
        [
            "job_id": job.id.lowercasedString, "status": job.status.rawValue, "progress": job.progress, "attempts": job.attempts,
            "created_at": date(job.createdAt), "updated_at": date(job.updatedAt), "message": job.message,
            "error_code": job.errorCode ?? NSNull(), "error_message": job.errorMessage ?? NSNull(), "dead": job.inDeadLetters,
        ]
    }

    /// One entry of a job's history: what changed and when.
    static func event(_ job: Job) -> [String: Any] {
        var event: [String: Any] = [
            "version": job.version, "status": job.status.rawValue, "progress": job.progress, "message": job.message,
            "updated_at": date(job.updatedAt),
        ]
        if let error = job.error { event["error"] = ["code": error.code, "message": error.message] }
        return event
    }
}
