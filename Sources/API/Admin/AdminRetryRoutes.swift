import DecomposerCore
import Foundation
import Hummingbird
import Storage
import SystemSupport

/// `GET /admin/api/jobs?status=&limit=` (newest first), `POST /admin/api/jobs/{job_id}/retry`,
/// `POST /admin/api/dead/retry` and `POST /admin/api/dead/purge`: `decomposer jobs list|retry|purge`
/// over HTTP, through the same `JobQueue.listJobs` / `JobRetrier` / `JobQueue.purgeDead`.
struct AdminRetryRoutes {
    let queue: JobQueue
    let storage: any StorageBackend

    /// The history says "Retried by an operator: <reason>".
    static let defaultReason = "from the admin API"

    func register(on router: Router<APIRequestContext>) {
        router.get("/admin/api/jobs") { request, _ in
            let parameters = request.uri.queryParameters
            let filter = try Self.filter(parameters.get("status"))
            let jobs = try await queue.listJobs(filter, limit: try AdminInput.limit(parameters.get("limit")))
            return try AdminJSON.response(["jobs": jobs.map(AdminJSON.summary)])
        }
        router.post("/admin/api/jobs/:job_id/retry") { request, context in
            let id = try AdminInput.jobID(context)
            let reason = try Self.reason(try await AdminInput.body(request, context: context))
            guard let result = try await JobRetrier(queue: queue, storage: storage).retry([id], reason: reason).first else {
                throw APIError.jobNotFound(id.lowercasedString)
            }
            switch result.outcome {
            case .queued(let attempts):
                context.logger.notice("Job \(id) retried by an operator: \(reason)")
                return try AdminJSON.response(["job_id": id.lowercasedString, "queued": true, "attempts": attempts])
            case .unknown:
                throw APIError.jobNotFound(id.lowercasedString)
            case .notRetryable(let status):
                throw APIError.conflict("job \(id.lowercasedString) is \(status.rawValue); only failed jobs are retried")
            case .uploadMissing(let fileID):
                throw APIError(.conflict, "upload_missing", "job \(id.lowercasedString) cannot run again: its upload \(fileID.lowercasedString) no longer exists")
            }
        }
        router.post("/admin/api/dead/retry") { request, context in
            let body = try await AdminInput.body(request, context: context)
            let since = try AdminInput.duration(try body?.string("since"), name: "since")
            let errorCode = try body?.string("error_code").flatMap { $0.isEmpty ? nil : $0 }
            let reason = try Self.reason(body)
            let cutoff = try await cutoff(since)
            let results = try await JobRetrier(queue: queue, storage: storage).retryDead(since: cutoff, errorCode: errorCode, reason: reason)
            let retried = results.filter(\.isQueued).count
            context.logger.notice("\(retried) dead jobs retried by an operator (\(results.count) matched)")
            return try AdminJSON.response([
                "retried": retried, "refused": results.count - retried,
                "results": results.map { ["job_id": $0.id.lowercasedString, "queued": $0.isQueued, "summary": $0.summary] },
            ])
        }
        router.post("/admin/api/dead/purge") { request, context in
            let body = try await AdminInput.body(request, context: context)
            let age = try AdminInput.duration(try body?.string("older_than"), name: "older_than")
            let cutoff = try await cutoff(age)
            let purged = try await queue.purgeDead(olderThan: cutoff)
            context.logger.notice("\(purged) dead jobs purged by an operator")
            return try AdminJSON.response(["purged": purged])
        }
    }

    /// `age` before now on the queue's clock (Redis's, like every queue time); nil for nil.
    func cutoff(_ age: Duration?) async throws -> Date? {
        guard let age else { return nil }
        return Date(millisecondsSince1970: try await queue.now().millisecondsSince1970 - age.milliseconds)
    }

    /// `status`: one of the listing's filters; absent lists every status.
    static func filter(_ text: String?) throws(APIError) -> JobListFilter? {
        guard let text else { return nil }
        guard let filter = JobListFilter(rawValue: text) else {
            let allowed = JobListFilter.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidField("status must be one of \(allowed), got '\(text.prefix(64))'")
        }
        return filter
    }

    /// `reason`, optional: kept in each retried job's history.
    static func reason(_ body: JSONObjectBody?) throws(APIError) -> String {
        guard let reason = try body?.string("reason") else { return defaultReason }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 500 else { throw .invalidField("reason must be 1 to 500 characters of text") }
        return trimmed
    }
}
