import CostTracker
import DecomposerCore
import Foundation
import SystemSupport
import Testing
import TestSupport

@Suite struct ResultAndCostTests {
    @Test func aCompletedJobServesItsLayersWithAStrongETagAndImmutableCaching() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        let layers = try await api.complete(try await api.claim(), layers: 2)

        let job = try await api.request("GET", "/api/jobs/\(id.uuidString)").json()
        let listed = try #require(job["layers"] as? [[String: Any]])
        #expect(listed.map { $0["filename"] as? String } == ["layer_0.png", "layer_1.png"])
        #expect(Set(listed[0].keys) == ["index", "filename", "url", "size_kb", "width", "height"])

        let url = try #require(listed[1]["url"] as? String)
        let response = try await api.request("GET", url)
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "image/png")
        #expect(response.headers["cache-control"] == "public, max-age=31536000, immutable")
        let onDisk = try Data(contentsOf: api.results.appendingPathComponent(id.lowercasedString).appendingPathComponent("1/layer_1.png"))
        #expect(response.body == Array(onDisk))
        #expect(layers[1].filename == "layer_1.png")
        let etag = try #require(response.headers["etag"])
        #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))

        let cached = try await api.request("GET", url, headers: [("If-None-Match", etag)])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        let stale = try await api.request("GET", url, headers: [("If-None-Match", "\"something-else\"")])
        #expect(stale.status == 200)
    }

    @Test func nothingButTheFilesAJobListedCanBeRead() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob(layers: 2)
        try await api.complete(try await api.claim(), layers: 2)
        let job = id.lowercasedString
        // A file in the job's folder that the job does not list.
        try Data("secret".utf8).write(to: api.results.appendingPathComponent(job).appendingPathComponent("1/notes.txt"))
        let queued = try await api.createJob()
        let paths = [
            "/results/\(job)/layer_2.png", "/results/\(job)/notes.txt", "/results/\(job)/..%2F..%2Fetc%2Fpasswd",
            "/results/\(job)/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/results/not-a-uuid/layer_0.png",
            "/results/\(UUID().uuidString)/layer_0.png", "/results/\(queued.uuidString)/layer_0.png",
        ]
        for path in paths {
            let response = try await api.request("GET", path)
            #expect(response.status == 404, "\(path): \(response.status)")
            #expect(response.errorCode?.hasSuffix("not_found") == true, "\(path): \(response.text)")
        }
        // Dot segments sent as they are (curl would normalise them).
        for path in ["/results/\(job)/../../etc/passwd", "/results/\(job)/../\(job)/notes.txt", "/results/../../../etc/passwd"] {
            let reply = try await RawHTTP.exchange(port: api.port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(reply.status == 404, "\(path): \(reply.text)")
            #expect(!reply.text.contains("root:"), "\(path)")
            #expect(!reply.text.contains("secret"), "\(path)")
        }
    }

    @Test func costsListTheLastNDaysOldestFirstWithZerosAndATotal() async throws {
        let api = try await APIHarness(costRetentionDays: 30)
        defer { Task { await api.stop() } }
        let today = Date()
        try await api.costs.recordAttempt(jobID: nil, duration: .seconds(10), succeeded: true, at: today)
        try await api.costs.recordAttempt(jobID: nil, duration: .seconds(5), succeeded: false, at: today)
        try await api.costs.recordAttempt(jobID: nil, duration: .seconds(20), succeeded: true, at: today.addingTimeInterval(-2 * 86_400))

        let response = try await api.request("GET", "/api/costs?days=3")
        #expect(response.status == 200)
        let json = try response.json()
        let days = try #require(json["days"] as? [[String: Any]])
        #expect(days.map { $0["date"] as? String } == UTCDay.keys(last: 3, endingAt: today))
        // 3.60 USD per hour = 0.001 USD per second.
        #expect(days[2]["usd"] as? Double == 0.015)
        #expect(days[2]["gpu_seconds"] as? Double == 15)
        #expect(days[2]["requests"] as? Int == 2)
        #expect(days[2]["failed_requests"] as? Int == 1)
        #expect(days[1]["usd"] as? Double == 0)
        #expect(days[1]["requests"] as? Int == 0)
        #expect(days[0]["usd"] as? Double == 0.02)
        #expect(json["total_usd"] as? Double == 0.035)

        let defaults = try await api.request("GET", "/api/costs").json()
        #expect((defaults["days"] as? [Any])?.count == 7)
        for bad in ["0", "31", "abc", "2.5", "-1"] {
            let refused = try await api.request("GET", "/api/costs?days=\(bad)")
            #expect(refused.status == 422, "days=\(bad)")
            #expect(refused.errorCode == "invalid_field", "days=\(bad)")
            #expect(refused.errorMessage?.contains("1 to 30") == true)
        }
    }
}
