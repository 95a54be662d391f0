import DecomposerCore
import Foundation
import Testing
import TestSupport
import Yams

/// The admin API and page (`/admin`, `/admin/api/*`) against real Redis: absent without
/// `ADMIN_API_KEY`, its own key, and each operation with its refusals.
@Suite struct AdminAPITests {
    static let key = "adm1n-key"
    static let auth = [("Authorization", "Bearer \(key)")]

    /// Every admin operation the OpenAPI document lists, with a job id filled in.
    static func adminOperations(_ api: APIHarness) async throws -> [(method: String, path: String)] {
        let document = try #require(try Yams.load(yaml: try await api.request("GET", "/openapi.yaml").text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        return paths.filter { $0.key.hasPrefix("/admin") }.flatMap { path, item in
            (item as? [String: Any] ?? [:]).keys.filter(methods.contains).map {
                ($0.uppercased(), path.replacingOccurrences(of: "{job_id}", with: UUID().uuidString.lowercased()))
            }
        }
    }

    @Test func withoutTheAdminKeyEveryAdminRouteIsAnUnknownPath() async throws {
        let api = try await APIHarness(apiKey: "api-key")
        defer { Task { await api.stop() } }
        let operations = try await Self.adminOperations(api)
        #expect(operations.count >= 6, "\(operations)")
        let unknown = try await api.request("GET", "/nothing-here")
        #expect(unknown.status == 404)
        for (method, path) in operations + [("GET", "/admin"), ("GET", "/admin/api/nothing")] {
            for headers in [[], Self.auth, [("Authorization", "Bearer api-key")]] {
                let response = try await api.request(method, path, headers: headers)
                #expect(response.status == 404, "\(method) \(path): \(response.status)")
                #expect(response.errorCode == unknown.errorCode && response.errorMessage == unknown.errorMessage, "\(method) \(path)")
                #expect(response.headers["allow"] == nil && response.headers["www-authenticate"] == nil, "\(method) \(path)")
            }
        }
    }

    @Test func theAdminAPINeedsTheAdminKeyAndOnlyIt() async throws {
        let api = try await APIHarness(apiKey: "api-key", adminAPIKey: Self.key)
        defer { Task { await api.stop() } }
        let operations = try await Self.adminOperations(api).filter { $0.path.hasPrefix("/admin/api/") }
        for (method, path) in operations {
            for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "Bearer api-key")], [("Authorization", "Basic eA==")]] {
                let response = try await api.request(method, path, headers: headers)
                #expect(response.status == 401, "\(method) \(path) \(headers): \(response.status)")
                #expect(response.errorCode == "unauthorized" && response.errorMessage?.contains("ADMIN_API_KEY") == true)
                #expect(response.headers["www-authenticate"] == "Bearer")
            }
        }
        // The page asks for the key itself; the admin key opens nothing of the API's.
        let page = try await api.request("GET", "/admin")
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.text.contains("Decomposer admin") && !page.text.contains("src=\"http"))
        #expect(try await api.request("GET", "/api/costs", headers: Self.auth).status == 401)
        #expect(try await api.request("GET", "/admin/api/queue", headers: Self.auth).status == 200)
    }

    @Test func pauseAndResumeWithTheirRefusals() async throws {
        let api = try await APIHarness(adminAPIKey: Self.key)
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let paused = try await api.postJSON("/admin/api/queue/pause", #"{"message":"Maintenance until 10:00"}"#, headers: Self.auth)
        #expect(paused.status == 200, "\(paused.text)")
        #expect(try paused.json()["queued_jobs_annotated"] as? Int == 1)
        let status = try await api.request("GET", "/admin/api/queue", headers: Self.auth).json()
        #expect((status["operator_pause"] as? [String: Any])?["message"] as? String == "Maintenance until 10:00")
        #expect(status["claimable"] as? Bool == false)
        #expect((status["counts"] as? [String: Any])?["queued"] as? Int == 1)
        #expect(try await api.queue.job(id)?.message == "Maintenance until 10:00")
        #expect(try await api.queue.pauseState().operatorMessage == "Maintenance until 10:00")

        let refusals: [(String, Int, String)] = [
            (#"{"message":"   "}"#, 422, "invalid_field"), (#"{"message":5}"#, 422, "invalid_field"),
            (#"{"message":"\#(String(repeating: "x", count: 501))"}"#, 422, "invalid_field"), ("{", 400, "invalid_json"),
            ("[]", 400, "invalid_json"),
        ]
        for (body, code, error) in refusals {
            let response = try await api.postJSON("/admin/api/queue/pause", body, headers: Self.auth)
            #expect(response.status == code && response.errorCode == error, "\(body.prefix(20)): \(response.text)")
        }
        #expect(try await api.queue.pauseState().operatorMessage == "Maintenance until 10:00", "a refused pause changes nothing")

        let resumed = try await api.request("POST", "/admin/api/queue/resume", headers: Self.auth).json()
        #expect(resumed["resumed"] as? Bool == true && resumed["budget_hold"] as? Bool == false)
        #expect(try await api.queue.pauseState().operatorMessage == nil)
        #expect(try await api.request("POST", "/admin/api/queue/resume", headers: Self.auth).json()["resumed"] as? Bool == false)
        // No body: the default message.
        #expect(try await api.request("POST", "/admin/api/queue/pause", headers: Self.auth).status == 200)
        #expect(try await api.queue.pauseState().operatorMessage == "Paused by an operator")
    }

    @Test func showAndCancelAJobWithTheirRefusals() async throws {
        let api = try await APIHarness(adminAPIKey: Self.key)
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let shown = try await api.request("GET", "/admin/api/jobs/\(id.uuidString)", headers: Self.auth)
        #expect(shown.status == 200, "\(shown.text)")
        let body = try shown.json()
        #expect((body["job"] as? [String: Any])?["status"] as? String == "queued")
        #expect((body["fields"] as? [String: Any])?["file_id"] != nil && (body["fields"] as? [String: Any])?["lease_token"] == nil)
        let events = body["events"] as? [[String: Any]] ?? []
        #expect(events.first?["status"] as? String == "queued" && events.first?["version"] as? Int == 1, "\(events)")
        #expect(body["webhook"] is NSNull, "a job without a webhook has no deliveries: \(body)")

        let cancelled = try await api.request("POST", "/admin/api/jobs/\(id.uuidString)/cancel", headers: Self.auth)
        #expect(cancelled.status == 200, "\(cancelled.text)")
        #expect(try cancelled.json()["was"] as? String == "queued")
        #expect(try await api.queue.job(id)?.status == .cancelled)
        let again = try await api.request("POST", "/admin/api/jobs/\(id.uuidString)/cancel", headers: Self.auth)
        #expect(again.status == 409 && again.errorCode == "conflict" && again.errorMessage?.contains("cancelled") == true)
        let history = try await api.request("GET", "/admin/api/jobs/\(id.uuidString)", headers: Self.auth).json()
        #expect((history["events"] as? [[String: Any]])?.last?["status"] as? String == "cancelled")

        let unknown = UUID().uuidString.lowercased()
        for (method, path) in [("GET", "/admin/api/jobs/\(unknown)"), ("POST", "/admin/api/jobs/\(unknown)/cancel")] {
            let response = try await api.request(method, path, headers: Self.auth)
            #expect(response.status == 404 && response.errorCode == "job_not_found" && response.errorMessage?.contains(unknown) == true)
        }
        for (method, path) in [("GET", "/admin/api/jobs/not-a-uuid"), ("POST", "/admin/api/jobs/12345/cancel")] {
            let response = try await api.request(method, path, headers: Self.auth)
            #expect(response.status == 400 && response.errorCode == "invalid_job_id", "\(path): \(response.text)")
        }
    }

    @Test func todaysCostAgainstTheBudget() async throws {
        let api = try await APIHarness(adminAPIKey: Self.key, dailyBudgetUSD: 1)
        defer { Task { await api.stop() } }
        try await api.costs.recordAttempt(jobID: nil, duration: .seconds(100), succeeded: false)
        let today = try await api.request("GET", "/admin/api/costs/today", headers: Self.auth).json()
        #expect(today["usd"] as? Double == 0.1 && today["requests"] as? Int == 1 && today["failed_requests"] as? Int == 1)
        #expect(today["budget_usd"] as? Double == 1 && today["budget_used"] as? Double == 0.1, "\(today)")
        let costs = try await api.request("GET", "/api/costs?days=1").json()
        #expect((costs["days"] as? [[String: Any]])?.first?["date"] as? String == today["date"] as? String)
        let status = try await api.request("GET", "/admin/api/queue", headers: Self.auth).json()
        #expect((status["today"] as? [String: Any])?["usd"] as? Double == 0.1)
    }

    /// The page's live view: a status on connecting, then each job change and a fresh status,
    /// from the hub's subscription (no polling: nothing is sent while nothing changes but a keep-alive).
    @Test func theEventStreamPushesJobChangesAndFreshCounts() async throws {
        let api = try await APIHarness(adminAPIKey: Self.key)
        defer { Task { await api.stop() } }
        let refused = try await RawHTTP.exchange(port: api.port, "GET /admin/api/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(refused.status == 401)
        let stream = try await EventStreamConnection.open(port: api.port, path: "/admin/api/events", headers: ["Authorization: Bearer \(Self.key)"])
        defer { stream.close() }
        // The first status is sent on connecting, the second once the hub's subscription is up.
        let start = try await stream.read { $0.components(separatedBy: "event: status\n").count >= 3 }
        #expect(start.hasPrefix("HTTP/1.1 200") && start.lowercased().contains("content-type: text/event-stream"), "\(start.prefix(300))")
        #expect(start.contains(#""queued":0"#))
        let id = try await api.createJob().uuidString.lowercased()
        let after = try await stream.read { text in
            guard let job = text.range(of: "\"job_id\":\"\(id)\"") else { return false }
            return text[job.upperBound...].contains(#""queued":1"#)
        }
        let jobEvent = after.components(separatedBy: "\n").first { $0.contains(id) } ?? ""
        #expect(jobEvent.hasPrefix("data: ") && jobEvent.contains(#""status":"queued""#), "\(after.suffix(600))")
        #expect(after.contains("event: job\n" + jobEvent))
        let later = after.components(separatedBy: jobEvent).last ?? ""
        #expect(later.contains("event: status\n") && later.contains(#""queued":1"#), "\(after.suffix(600))")
    }

    /// An open admin page never holds up a graceful shutdown: the hub ends the stream (the chunked
    /// body's last chunk) before the HTTP server drains, so `stop()` returns.
    @Test func theEventStreamEndsOnGracefulShutdown() async throws {
        let api = try await APIHarness(adminAPIKey: Self.key)
        let stream = try await EventStreamConnection.open(port: api.port, path: "/admin/api/events", headers: ["Authorization: Bearer \(Self.key)"])
        defer { stream.close() }
        _ = try await stream.read { $0.contains("event: status\n") }
        let stopping = Task { await api.stop() }
        // Bounded: a stream that outlived the shutdown fails here instead of hanging the test.
        let text = try await stream.read { $0.hasSuffix("0\r\n\r\n") }
        #expect(text.hasSuffix("0\r\n\r\n"), "the stream ended: \(text.suffix(200))")
        if text.hasSuffix("0\r\n\r\n") { await stopping.value }
    }
}
