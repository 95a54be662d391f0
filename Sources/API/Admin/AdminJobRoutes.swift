import DecomposerCore
import Foundation
import Hummingbird
import SystemSupport

/// `GET /admin/api/jobs/{job_id}` (every stored field, the job as the API sends it, its event
/// history, its webhook deliveries) and `POST /admin/api/jobs/{job_id}/cancel`: `decomposer jobs show|cancel` over HTTP.
struct AdminJobRoutes {
    let queue: JobQueue

    func register(on router: Router<APIRequestContext>) {
        router.get("/admin/api/jobs/:job_id") { _, context in
            let id = try AdminInput.jobID(context)
            guard let fields = try await queue.storedFields(of: id), let job = try await queue.job(id) else {
                throw APIError.jobNotFound(id.lowercasedString)
            }
            let history = try await queue.events(of: id, after: 0)
            let webhook = try await queue.webhookState(of: id)
            return try AdminJSON.response([
                "job": try AdminJSON.object(JobRepresentation(job: job)), "fields": fields, "events": history.map(AdminJSON.event),
                "webhook": webhook?.jsonObject ?? NSNull(),
            ])
        }
        router.post("/admin/api/jobs/:job_id/cancel") { _, context in
            let id = try AdminInput.jobID(context)
            switch try await queue.cancel(id) {
            case .cancelled(let was):
                context.logger.notice("Job \(id) cancelled by an operator (was \(was.rawValue))")
                return try AdminJSON.response(["job_id": id.lowercasedString, "cancelled": true, "was": was.rawValue])
            case .alreadyFinished(let status):
                throw APIError.conflict("job \(id.lowercasedString) is already \(status.rawValue) and cannot be cancelled")
            case .notFound:
                throw APIError.jobNotFound(id.lowercasedString)
            }
        }
    }
}
