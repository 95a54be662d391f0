import DecomposerCore
import Foundation
import Testing
import TestSupport

@Suite struct OperationsTests {
    @Test func healthReadinessAndMetrics() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        #expect(try await api.request("GET", "/healthz").status == 200)
        let ready = try await api.request("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(try ready.json()["status"] as? String == "ready")

        _ = try await api.createJob()
        try await api.costs.recordAttempt(jobID: nil, duration: .seconds(100), succeeded: true)
        _ = try await api.request("GET", "/api/jobs/\(UUID().uuidString)")
        let metrics = try await api.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let text = metrics.text
        #expect(text.contains(#"decomposer_api_requests_total{method="POST",route="/api/decompose",status="202"} 1"#))
        #expect(text.contains(#"decomposer_api_requests_total{method="GET",route="/api/jobs/{job_id}",status="404"} 1"#))
        #expect(text.contains("decomposer_api_request_duration_seconds_bucket"))
        #expect(text.contains(#"decomposer_queue_depth_jobs{state="waiting"} 1"#))
        #expect(text.contains("decomposer_queue_jobs_in_flight_jobs 0"))
        #expect(text.contains(#"decomposer_queue_events_total{event="retries"} 0"#))
        #expect(text.contains(#"decomposer_queue_events_total{event="recoveries"} 0"#))
        #expect(text.contains("decomposer_cost_today_usd 0.1"))
        #expect(text.contains("decomposer_queue_held 0"))
        // While the daily budget is spent the queue is held, and the API says so.
        _ = try await api.queue.recordAttempt(
            AttemptRecord(jobID: nil, attempt: nil, microdollars: 1, gpuMilliseconds: 1, succeeded: true, day: "2026-12-06"),
            retention: .seconds(60),
            budget: BudgetHold(limitMicrodollars: 1, message: "Daily GPU budget reached", endsAt: Date().addingTimeInterval(60)))
        #expect(try await api.request("GET", "/metrics").text.contains("decomposer_queue_held 1"))
        try await api.redis.send(["DEL", api.queue.keys.hold])
        #expect(try await api.request("GET", "/metrics").text.contains("decomposer_queue_held 0"))
    }

    @Test func theAPIKeyGuardsTheAPIButNotHealth() async throws {
        let api = try await APIHarness(apiKey: "s3cret-key")
        defer { Task { await api.stop() } }
        let path = "/api/jobs/\(UUID().uuidString)"
        for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "Basic czNjcmV0LWtleQ==")]] {
            let refused = try await api.request("GET", path, headers: headers)
            #expect(refused.status == 401, "\(headers)")
            #expect(refused.errorCode == "unauthorized")
        }
        #expect(try await api.request("GET", path, headers: [("Authorization", "Bearer s3cret-key")]).status == 404)
        #expect(try await api.request("GET", "/healthz").status == 200)
        #expect(try await api.request("GET", "/readyz").status == 200)
        // A WebSocket without the key is refused at the upgrade; ?token= lets a browser in.
        await #expect(throws: (any Error).self) { _ = try await api.watch(UUID().uuidString) }
        let watched = try await api.watch(UUID().uuidString, query: "?token=s3cret-key")
        #expect(watched.closeCode == 4404)
    }

    @Test func corsAnswersPreflightsForAllowedOriginsOnly() async throws {
        let api = try await APIHarness(corsAllowedOrigins: ["https://posters.example"])
        defer { Task { await api.stop() } }
        let preflight = try await api.request("OPTIONS", "/api/decompose", headers: [
            ("Origin", "https://posters.example"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type, idempotency-key"),
        ])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://posters.example")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Idempotency-Key") == true)
        let simple = try await api.request("GET", "/api/costs", headers: [("Origin", "https://posters.example")])
        #expect(simple.headers["access-control-allow-origin"] == "https://posters.example")
        let stranger = try await api.request("GET", "/api/costs", headers: [("Origin", "https://evil.example")])
        #expect(stranger.headers["access-control-allow-origin"] == nil)
    }

    @Test func gracefulShutdownTurnsReadinessOffAndClosesWatchersWith1001() async throws {
        let api = try await APIHarness()
        let id = try await api.createJob()
        let connected = AsyncStream.makeStream(of: Void.self)
        let watcher = Task { try await api.watch(id.uuidString, onConnect: { connected.continuation.yield() }) }
        var iterator = connected.stream.makeAsyncIterator()
        await iterator.next()
        try await waitUntil { api.api.hub.watcherCount == 1 }
        await api.stop()
        let result = try await watcher.value
        #expect(result.closeCode == 1001)
        #expect(result.messages.count == 1)
        #expect(api.api.drain.isDraining)
    }
}

/// Polls `condition` every 20 ms for up to 20 s.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSupportError("condition not met in time") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
