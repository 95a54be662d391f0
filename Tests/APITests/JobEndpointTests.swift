import DecomposerCore
import Foundation
import Testing
import TestSupport

@Suite struct JobEndpointTests {
    @Test func decomposeQueuesAJobWithDefaultsAndItsJSONHasEveryKey() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let response = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#)
        #expect(response.status == 202)
        let body = try response.json()
        #expect(body["status"] as? String == "queued")
        let jobID = try #require(body["job_id"] as? String)
        #expect(UUID(uuidString: jobID) != nil)
        #expect(response.text == #"{"job_id":"\#(jobID)","status":"queued"}"#, "the body JSONResponse.encoder would write")
        #expect(response.headers["content-type"] == "application/json; charset=utf-8")

        let job = try await api.request("GET", "/api/jobs/\(jobID)")
        #expect(job.status == 200)
        let json = try job.json()
        #expect(Set(json.keys) == [
            "job_id", "file_id", "status", "progress", "message", "version", "num_layers", "resolution", "attempts",
            "recoveries", "created_at", "updated_at", "layers", "error", "cost_usd", "position", "eta_seconds",
            "waiting_reason", "cached", "parent",
        ])
        #expect(json["cached"] as? Bool == false)
        #expect(json["parent"] is NSNull, "a job on an upload splits no other job's layer")
        #expect(json["position"] as? Int == 1, "the only queued job is next")
        #expect(json["eta_seconds"] is NSNull, "no worker has advertised call slots")
        #expect(json["job_id"] as? String == jobID)
        #expect(json["file_id"] as? String == fileID)
        #expect(json["status"] as? String == "queued")
        #expect(json["num_layers"] as? Int == 5)
        #expect(json["resolution"] as? Int == 1024)
        #expect(json["version"] as? Int == 1)
        #expect((json["layers"] as? [Any])?.isEmpty == true)
        #expect(json["error"] is NSNull)
        #expect(json["cost_usd"] as? Double == 0)
        let created = try #require(json["created_at"] as? String)
        #expect(created.hasSuffix("Z"))
        #expect(ISO8601DateFormatter().date(from: created) != nil)
    }

    /// An upload is noted in Redis when stored, and the enqueue script checks the note; an upload
    /// without one (stored before notes were kept) is looked up in storage, queued, and noted.
    @Test func anUploadIsNotedWhenStoredAndOneWithoutANoteIsFoundInStorage() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let note = api.queue.keys.upload(try #require(UUID(uuidString: fileID)))
        #expect(try await api.redis.send(["EXISTS", note]).int == 1)
        #expect(try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#).status == 202)

        _ = try await api.redis.send(["DEL", note])
        #expect(try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#).status == 202)
        #expect(try await api.redis.send(["EXISTS", note]).int == 1, "noted again after storage was asked")
    }

    @Test func anIdempotencyKeyRepeatAnswers200WithTheSameJobAndADifferentBodyConflicts() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let body = #"{"file_id":"\#(fileID)","num_layers":4,"resolution":640}"#
        let first = try await api.postJSON("/api/decompose", body, headers: [("Idempotency-Key", "order-17")])
        let again = try await api.postJSON("/api/decompose", body, headers: [("Idempotency-Key", "order-17")])
        #expect(first.status == 202)
        #expect(again.status == 200)
        #expect(try again.json()["job_id"] as? String == (try first.json()["job_id"] as? String))
        #expect(try await api.queue.counts().waiting == 1)
        let different = try await api.postJSON(
            "/api/decompose", #"{"file_id":"\#(fileID)","num_layers":5}"#, headers: [("Idempotency-Key", "order-17")])
        #expect(different.status == 409)
        #expect(different.errorCode == "conflict")
    }

    @Test func badDecomposeRequestsNameTheProblem() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        let unknown = UUID().uuidString
        let cases: [(String, [UInt8], Int, String, String?)] = [
            ("malformed", Array(#"{"file_id":"#.utf8), 400, "invalid_json", nil),
            ("invalid UTF-8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], 400, "invalid_json", "UTF-8"),
            ("empty", [], 400, "invalid_json", "empty"),
            ("array", Array("[1,2]".utf8), 400, "invalid_json", "object"),
            ("string", Array(#""hello""#.utf8), 400, "invalid_json", "object"),
            ("missing file_id", Array("{}".utf8), 422, "invalid_field", "file_id"),
            ("file_id not a UUID", Array(#"{"file_id":"../etc"}"#.utf8), 422, "invalid_field", "file_id"),
            ("file_id a number", Array(#"{"file_id":7}"#.utf8), 422, "invalid_field", "file_id"),
            ("string for a number", Array(#"{"file_id":"\#(fileID)","num_layers":"5"}"#.utf8), 422, "invalid_field",
             "num_layers must be an integer from 2 to 10"),
            ("true", Array(#"{"file_id":"\#(fileID)","num_layers":true}"#.utf8), 422, "invalid_field", "num_layers"),
            ("5.5", Array(#"{"file_id":"\#(fileID)","num_layers":5.5}"#.utf8), 422, "invalid_field", "num_layers"),
            ("too few layers", Array(#"{"file_id":"\#(fileID)","num_layers":1}"#.utf8), 422, "invalid_field", "2 to 10"),
            ("too many layers", Array(#"{"file_id":"\#(fileID)","num_layers":11}"#.utf8), 422, "invalid_field", "2 to 10"),
            ("resolution", Array(#"{"file_id":"\#(fileID)","resolution":800}"#.utf8), 422, "invalid_field", "640 or 1024"),
            ("cache as text", Array(#"{"file_id":"\#(fileID)","cache":"false"}"#.utf8), 422, "invalid_field", "cache must be true or false"),
            ("cache as 0", Array(#"{"file_id":"\#(fileID)","cache":0}"#.utf8), 422, "invalid_field", "cache must be true or false"),
            ("unknown file", Array(#"{"file_id":"\#(unknown)"}"#.utf8), 404, "file_not_found", nil),
        ]
        for (name, body, status, code, mentions) in cases {
            let response = try await api.request("POST", "/api/decompose", body: body, headers: [("Content-Type", "application/json")])
            #expect(response.status == status, "\(name): \(response.text)")
            #expect(response.errorCode == code, "\(name): \(response.text)")
            if let mentions { #expect(response.errorMessage?.contains(mentions) == true, "\(name): \(response.text)") }
        }
        let plain = try await api.request("POST", "/api/decompose", body: Array("{}".utf8), headers: [("Content-Type", "text/plain")])
        #expect(plain.status == 415)
        #expect(plain.errorCode == "unsupported_media_type")
        let huge = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","pad":"\#(String(repeating: "x", count: 100_000))"}"#)
        #expect(huge.status == 413)
        #expect(huge.errorCode == "request_too_large")
        #expect(try await api.queue.counts().waiting == 0)
        // Numbers written as 4.0 are integers in JSON.
        let exact = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)","num_layers":4.0}"#)
        #expect(exact.status == 202, "\(exact.text)")
    }

    @Test func unknownAndMalformedJobIDsAreNotFound() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        for path in ["/api/jobs/\(UUID().uuidString)", "/api/jobs/not-a-uuid", "/api/jobs/%2E%2E"] {
            let get = try await api.request("GET", path)
            #expect(get.status == 404, "\(path)")
            #expect(get.errorCode == "job_not_found", "\(path)")
            let delete = try await api.request("DELETE", path)
            #expect(delete.status == 404, "\(path)")
        }
        let nowhere = try await api.request("GET", "/api/nowhere")
        #expect(nowhere.status == 404)
        #expect(nowhere.errorCode == "not_found")
    }

    @Test func cancellingAQueuedJobNeverRunsItAndAFinishedJobConflicts() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let cancel = try await api.request("DELETE", "/api/jobs/\(id.uuidString)")
        #expect(cancel.status == 202)
        #expect(try cancel.json()["status"] as? String == "cancelled")
        // A worker finds nothing to run.
        guard case .empty = try await api.queue.claim(progress: 10, message: "Preparing image") else {
            Issue.record("a cancelled job was claimed")
            return
        }
        let again = try await api.request("DELETE", "/api/jobs/\(id.uuidString)")
        #expect(again.status == 409)
        #expect(again.errorCode == "conflict")
    }

    @Test func cancellingARunningJobEndsItCancelled() async throws {
        let api = try await APIHarness()
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        let lease = try await api.claim()
        #expect(lease.job.id == id)
        let cancel = try await api.request("DELETE", "/api/jobs/\(id.uuidString)")
        #expect(cancel.status == 202)
        #expect(try cancel.json()["status"] as? String == "cancelled")
        // The worker's next write is refused: it learns the job was cancelled.
        await #expect(throws: QueueError.cancelled(id)) {
            try await api.queue.reportProgress(lease, progress: 30, message: "Running on GPU")
        }
    }

    @Test func aFullQueueAnswers429WithRetryAfter() async throws {
        let api = try await APIHarness(maxQueueDepth: 2)
        defer { Task { await api.stop() } }
        let fileID = try await api.uploadPoster()
        for _ in 0..<2 {
            #expect(try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#).status == 202)
        }
        let full = try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#)
        #expect(full.status == 429)
        #expect(full.errorCode == "queue_full")
        #expect(Int(full.headers["retry-after"] ?? "") ?? 0 > 0)
    }

    @Test func whileRedisIsDownRequestsAnswer503AndRecoverWhenItIsBack() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let api = try await APIHarness(redisServer: redis)
        defer { Task { await api.stop() } }
        let id = try await api.createJob()
        #expect(try await api.request("GET", "/readyz").status == 200)
        redis.stop()
        let down = try await api.request("GET", "/api/jobs/\(id.uuidString)")
        #expect(down.status == 503)
        #expect(down.errorCode == "unavailable")
        #expect(down.headers["retry-after"] != nil)
        let ready = try await api.request("GET", "/readyz")
        #expect(ready.status == 503)
        #expect(try ready.json()["reason"] as? String != nil)
        #expect(try await api.request("GET", "/healthz").status == 200)
        try await redis.restart()
        // The client reconnects with backoff; readiness returns without a restart of the API.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await api.request("GET", "/readyz").status != 200 {
            guard ContinuousClock.now < deadline else { throw TestSupportError("the API did not recover") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let fileID = try await api.uploadPoster()
        #expect(try await api.postJSON("/api/decompose", #"{"file_id":"\#(fileID)"}"#).status == 202)
    }
}
