import DecomposerCore
import Foundation
import OperationalRoutes
import Testing
import TestSupport

/// `decomposer_queue_demand_jobs` and `decomposer_queue_claimable` on the API's /metrics, which
/// KEDA's trigger reads (deploy/kubernetes): waiting jobs count only while a worker could take them.
@Suite struct QueueDemandMetricsTests {
    @Test func theDemandGaugeLeavesOutWaitingJobsWhileTheQueueIsHeldOrPaused() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        for _ in 0..<3 { _ = try await api.createJob() }
        guard case .claimed = try await api.queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("no job to claim")
            return
        }
        let demand = QueueDepthGauges.demandMetricName
        let claimable = QueueDepthGauges.claimableMetricName
        /// Every sample of the exposition: series → value.
        func metrics() async throws -> [String: Double] {
            var samples: [String: Double] = [:]
            for line in try await api.request("GET", "/metrics").text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " ") else { continue }
                samples[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
            return samples
        }

        var samples = try await metrics()
        #expect(samples[demand] == 3, "one running + two waiting")
        #expect(samples[claimable] == 1)

        // The daily budget is spent: no worker may take the waiting jobs.
        _ = try await api.queue.recordAttempt(
            AttemptRecord(jobID: nil, attempt: nil, microdollars: 1, gpuMilliseconds: 1, succeeded: true, day: "2026-12-06"),
            retention: .seconds(60),
            budget: BudgetHold(limitMicrodollars: 1, message: "Daily GPU budget reached", endsAt: Date().addingTimeInterval(60)))
        samples = try await metrics()
        #expect(samples[demand] == 1, "only the running job")
        #expect(samples[claimable] == 0)
        #expect(samples[#"decomposer_queue_depth_jobs{state="waiting"}"#] == 2, "the jobs still wait")
        try await api.redis.send(["DEL", api.queue.keys.hold])
        #expect(try await metrics()[demand] == 3)

        // A 429 paused the fleet: every worker waits it out.
        try await api.queue.pauseFleet(for: .seconds(60))
        samples = try await metrics()
        #expect(samples[demand] == 1)
        #expect(samples[claimable] == 0)
        try await api.redis.send(["DEL", api.queue.keys.fleetPause])
        samples = try await metrics()
        #expect(samples[demand] == 3)
        #expect(samples[claimable] == 1)
    }
}
