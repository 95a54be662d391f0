import DecomposerCore
import Foundation
import Testing
import TestSupport

/// The admin API's listing, retries and purge against real Redis (the queue side, `listJobs`,
/// `JobRetrier`, `purgeDead`, has tests of its own; these check the routes and their refusals).
@Suite struct AdminRetryAPITests {
    static let auth = AdminAPITests.auth

    /// A job queued, claimed and failed for good with `code` (a final error: it is a dead letter).
    static func failedJob(_ api: APIHarness, code: String = "bad_request") async throws -> UUID {
        let id = try await api.createJob()
        let lease = try await api.claim()
        #expect(lease.job.id == id)
        try await api.queue.fail(lease, error: JobError(code: code, message: "refused by the test"))
        return id
    }

    @Test func listingByStatusNewestFirstWithItsRefusals() async throws {
        let api = try await APIHarness(adminAPIKey: AdminAPITests.key)
        defer { Task { await api.stop() } }
        let failed = try await Self.failedJob(api)
        let first = try await api.createJob()
        let second = try await api.createJob()
        let queued = try await api.request("GET", "/admin/api/jobs?status=queued&limit=10", headers: Self.auth).json()
        let ids = (queued["jobs"] as? [[String: Any]] ?? []).compactMap { $0["job_id"] as? String }
        #expect(ids == [second, first].map { $0.uuidString.lowercased() }, "newest first: \(ids)")
        let dead = try await api.request("GET", "/admin/api/jobs?status=failed", headers: Self.auth).json()
        let row = (dead["jobs"] as? [[String: Any]])?.first
        #expect(row?["job_id"] as? String == failed.uuidString.lowercased() && row?["error_code"] as? String == "bad_request")
        #expect(row?["status"] as? String == "failed" && row?["dead"] as? Bool == true)
        let one = try await api.request("GET", "/admin/api/jobs?limit=1", headers: Self.auth).json()
        #expect((one["jobs"] as? [[String: Any]])?.count == 1)

        for query in ["status=lost", "status=", "limit=0", "limit=201", "limit=ten"] {
            let response = try await api.request("GET", "/admin/api/jobs?\(query)", headers: Self.auth)
            #expect(response.status == 422 && response.errorCode == "invalid_field", "\(query): \(response.text)")
        }
        let named = try await api.request("GET", "/admin/api/jobs?status=lost", headers: Self.auth)
        #expect(named.errorMessage?.contains("queued, processing, completed, failed, cancelled, dead") == true)
    }

    @Test func retryingOneJobAndItsRefusals() async throws {
        let api = try await APIHarness(adminAPIKey: AdminAPITests.key)
        defer { Task { await api.stop() } }
        let failed = try await Self.failedJob(api)
        let orphan = try await Self.failedJob(api)
        let path = "/admin/api/jobs/\(failed.uuidString)/retry"
        let retried = try await api.postJSON(path, #"{"reason":"endpoint fixed"}"#, headers: Self.auth)
        #expect(retried.status == 200, "\(retried.text)")
        #expect(try retried.json()["attempts"] as? Int == 0)
        let job = try #require(try await api.queue.job(failed))
        #expect(job.status == .queued && job.error == nil)
        let history = try await api.queue.events(of: failed, after: 0).map(\.message)
        #expect(history.contains { $0.contains("endpoint fixed") }, "\(history)")
        // Queued now: not retryable.
        let again = try await api.request("POST", path, headers: Self.auth)
        #expect(again.status == 409 && again.errorCode == "conflict" && again.errorMessage?.contains("queued") == true)

        let unknown = try await api.request("POST", "/admin/api/jobs/\(UUID().uuidString)/retry", headers: Self.auth)
        #expect(unknown.status == 404 && unknown.errorCode == "job_not_found")
        let malformed = try await api.request("POST", "/admin/api/jobs/nope/retry", headers: Self.auth)
        #expect(malformed.status == 400 && malformed.errorCode == "invalid_job_id")
        let badReason = try await api.postJSON(path, #"{"reason":" "}"#, headers: Self.auth)
        #expect(badReason.status == 422 && badReason.errorCode == "invalid_field")

        // Its upload gone: it could only fail again, so it is refused and left failed.
        let fileID = try #require(try await api.queue.job(orphan)).fileID.uuidString.lowercased()
        for name in try FileManager.default.contentsOfDirectory(atPath: api.uploads.directory.path) where name.lowercased().hasPrefix(fileID) {
            try FileManager.default.removeItem(at: api.uploads.directory.appendingPathComponent(name))
        }
        let refused = try await api.request("POST", "/admin/api/jobs/\(orphan.uuidString)/retry", headers: Self.auth)
        #expect(refused.status == 409 && refused.errorCode == "upload_missing" && refused.errorMessage?.contains(fileID) == true)
        #expect(try await api.queue.job(orphan)?.status == .failed)
    }

    @Test func retryingDeadLettersMatchingAnErrorCode() async throws {
        let api = try await APIHarness(adminAPIKey: AdminAPITests.key)
        defer { Task { await api.stop() } }
        let rateLimited = try await Self.failedJob(api, code: "gpu_rate_limited")
        let badRequest = try await Self.failedJob(api, code: "bad_request")
        let response = try await api.postJSON(
            "/admin/api/dead/retry", #"{"error_code":"gpu_rate_limited","since":"1h"}"#, headers: Self.auth)
        #expect(response.status == 200, "\(response.text)")
        let body = try response.json()
        #expect(body["retried"] as? Int == 1 && body["refused"] as? Int == 0, "\(body)")
        #expect(try await api.queue.job(rateLimited)?.status == .queued)
        #expect(try await api.queue.job(badRequest)?.status == .failed, "another error code is left alone")

        for (body, code) in [(#"{"since":"yesterday"}"#, 422), (#"{"error_code":7}"#, 422), ("{", 400)] {
            let refused = try await api.postJSON("/admin/api/dead/retry", body, headers: Self.auth)
            #expect(refused.status == code, "\(body): \(refused.text)")
        }
        let named = try await api.postJSON("/admin/api/dead/retry", #"{"since":"yesterday"}"#, headers: Self.auth)
        #expect(named.errorMessage?.contains("since") == true && named.errorMessage?.contains("yesterday") == true)
        #expect(try await api.queue.job(badRequest)?.status == .failed, "a refused request retries nothing")
    }

    @Test func purgingDeadLetters() async throws {
        let api = try await APIHarness(adminAPIKey: AdminAPITests.key)
        defer { Task { await api.stop() } }
        let failed = try await Self.failedJob(api)
        let young = try await api.postJSON("/admin/api/dead/purge", #"{"older_than":"1h"}"#, headers: Self.auth)
        #expect(young.status == 200, "\(young.text)")
        #expect(try young.json()["purged"] as? Int == 0)
        let bad = try await api.postJSON("/admin/api/dead/purge", #"{"older_than":"-3d"}"#, headers: Self.auth)
        #expect(bad.status == 422 && bad.errorMessage?.contains("older_than") == true, "\(bad.text)")
        let all = try await api.request("POST", "/admin/api/dead/purge", headers: Self.auth)
        #expect(all.status == 200, "\(all.text)")
        #expect(try all.json()["purged"] as? Int == 1)
        #expect(try await api.queue.counts().dead == 0)
        let listed = try await api.request("GET", "/admin/api/jobs?status=dead", headers: Self.auth).json()
        #expect((listed["jobs"] as? [[String: Any]])?.contains { $0["job_id"] as? String == failed.uuidString.lowercased() } == false)
    }
}
