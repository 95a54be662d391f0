import CostTracker
import DecomposerCore
import Hummingbird

/// `GET /admin/api/queue`, `POST /admin/api/queue/pause`, `POST /admin/api/queue/resume`,
/// `GET /admin/api/costs/today`: `decomposer queue status|pause|resume` over HTTP.
struct AdminQueueRoutes {
    let queue: JobQueue
    let costs: CostTracker

    /// The longest pause message: it is copied onto every queued job.
    static let maxMessageLength = 500

    func register(on router: Router<APIRequestContext>) {
        router.get("/admin/api/queue") { _, _ in
            try AdminJSON.response(try await AdminQueueStatus(queue: queue, costs: costs).json())
        }
        router.post("/admin/api/queue/pause") { request, context in
            let message = try await Self.message(request, context: context)
            let annotated = try await queue.pauseQueue(message: message)
            context.logger.notice("Queue paused by an operator: \(message)")
            return try AdminJSON.response(["paused": true, "message": message, "queued_jobs_annotated": annotated])
        }
        router.post("/admin/api/queue/resume") { _, context in
            let outcome = try await queue.resumeQueue()
            if outcome.wasPaused { context.logger.notice("Queue resumed by an operator") }
            return try AdminJSON.response([
                "resumed": outcome.wasPaused, "queued_jobs_annotated": outcome.annotated, "budget_hold": outcome.stillHeld,
            ])
        }
        router.get("/admin/api/costs/today") { _, _ in
            try AdminJSON.response(try await AdminCostToday(costs: costs).json())
        }
    }

    /// `{"message": "…"}`, optional: what queued jobs show while paused.
    static func message(_ request: Request, context: APIRequestContext) async throws -> String {
        guard let body = try await AdminInput.body(request, context: context), let message = try body.string("message") else {
            return "Paused by an operator"
        }
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maxMessageLength else {
            throw APIError.invalidField("message must be 1 to \(maxMessageLength) characters of text")
        }
        return trimmed
    }
}
