import CostTracker
import Hummingbird

/// `GET /api/costs?days=N`: attributed GPU cost of the last N UTC days.
struct CostRoutes {
    let costs: CostTracker
    let retentionDays: Int

    func register(on router: Router<APIRequestContext>) {
        router.get("/api/costs") { request, _ in
            let days = try days(request.uri.queryParameters.get("days"))
            let report = CostReport(days: try await costs.days(last: days))
            return JSONResponse.make(.ok, bytes: ByteBuffer(string: report.json()))
        }
    }

    func days(_ parameter: String?) throws(APIError) -> Int {
        guard let parameter else { return min(7, retentionDays) }
        guard let days = Int(parameter), (1...retentionDays).contains(days) else {
            throw APIError.invalidField("days must be an integer from 1 to \(retentionDays) (COST_RETENTION_DAYS)")
        }
        return days
    }
}
