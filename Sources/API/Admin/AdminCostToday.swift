import CostTracker
import Foundation

/// Today's attributed cost (the UTC day `/api/costs` reports last) against `DAILY_BUDGET_USD`
/// (the budget the worker's cost records hold the queue at; `null` without one).
struct AdminCostToday {
    let costs: CostTracker

    func json() async throws -> [String: Any] {
        guard let today = try await costs.days(last: 1).last else { return [:] }
        let budget = costs.dailyBudgetMicrodollars
        return [
            "date": today.date, "usd": today.usd, "requests": today.requests, "failed_requests": today.failedRequests,
            "gpu_seconds": today.gpuSeconds, "cache_hits": today.cacheHits,
            "budget_usd": budget.map { Double($0) / 1_000_000 as Any } ?? NSNull(),
            "budget_used": budget.map { $0 > 0 ? Double(today.microdollars) / Double($0) as Any : NSNull() } ?? NSNull(),
        ]
    }
}
