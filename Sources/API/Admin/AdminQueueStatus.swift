import CostTracker
import DecomposerCore
import Foundation
import SystemSupport

/// What `GET /admin/api/queue` answers and the admin event stream pushes as `status`: the
/// operator's pause and the budget hold (either stops every claim), the jobs by state now (finished
/// ones while kept; failed ones are the dead letters), the lifetime counters, and today's cost
/// against the budget — the admin page's header in one read.
struct AdminQueueStatus {
    let queue: JobQueue
    let costs: CostTracker

    func json() async throws -> [String: Any] {
        let state = try await queue.pauseState()
        let counts = try await queue.counts()
        let finished = try await queue.finishedCounts()
        return [
            "operator_pause": state.operatorMessage.map { ["message": $0] as Any } ?? NSNull(),
            "budget_hold": state.holdMessage.map {
                ["message": $0, "remaining_seconds": (state.holdRemaining?.milliseconds ?? 0) / 1000] as Any
            } ?? NSNull(),
            "claimable": counts.claimable,
            "counts": [
                "queued": counts.waiting, "delayed": counts.delayed, "processing": counts.active,
                "completed": finished.completed, "cancelled": finished.cancelled, "dead": counts.dead,
            ],
            "totals": counts.totals,
            "today": try await AdminCostToday(costs: costs).json(),
        ]
    }
}
